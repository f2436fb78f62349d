import { ZodError } from 'zod';
import { Button } from '../../../shared/ui/button.js';
import { AnalysisError } from '../../analytics/components/analysis-error.js';

/** An answer that does not match the contract says so in words rather than as zod's issue list. */
function readable(error: unknown): unknown {
  if (!(error instanceof ZodError)) return error;
  return new Error(
    'The server’s answer could not be read; reload the page (the page and the server may be different versions).',
  );
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
