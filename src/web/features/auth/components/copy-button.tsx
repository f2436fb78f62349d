import { useState } from 'react';
import { Button } from '../../../shared/ui/button.js';
import { useToast } from '../../../shared/ui/toasts.js';

/** Copies text to the clipboard and says so; the clipboard needs a secure context, so it may fail. */
export function CopyButton({
  text,
  label,
  copiedMessage,
}: {
  text: string;
  label: string;
  copiedMessage: string;
}) {
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          toast('success', copiedMessage);
          setTimeout(() => setCopied(false), 3_000);
        } catch {
          toast('error', 'Copying is not allowed here; select the text and copy it yourself.');
        }
      }}
    >
      {copied ? 'Copied' : label}
    </Button>
  );
}
