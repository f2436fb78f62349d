import { ZodError } from 'zod';
import { Button } from '../../../shared/ui/button.js';
import { AnalysisError } from '../../analytics/components/analysis-error.js';

/** What an answer that does not match the contract says, rather than zod's issue list. */
export const UNREADABLE_ANSWER =
  'The server’s answer could not be read; reload the page (the page and the server may be different versions).';

function readable(error: unknown): unknown {
  return error instanceof ZodError ? new Error(UNREADABLE_ANSWER) : error;
}

/** A failed load: the server's problem detail (or what went wrong), and a way to try again. */
export function LoadError({
  error,
  retrying,
  onRetry,
}: {
  error: unknown;
  retrying: boolean;
  onRetry: () => void;
}) {
  return (
    <div className="space-y-2">
      <AnalysisError error={readable(error)} />
      <Button variant="secondary" onClick={onRetry} disabled={retrying}>
        {retrying ? 'Trying again…' : 'Try again'}
      </Button>
    </div>
  );
}
