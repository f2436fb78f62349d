import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { Button } from '../../../shared/ui/button.js';
import { Card } from '../../../shared/ui/card.js';
import { TextField } from '../../../shared/ui/text-field.js';
import { useToast } from '../../../shared/ui/toasts.js';
import { downloadRejectedRows } from '../api.js';
import { formatCount } from './datasets-format.js';
import { UploadDropZone } from './upload-drop-zone.js';
import { type OnRowError, type UploadResultData, useUploadFlow } from './upload-flow.js';
import { UploadProblem } from './upload-problem.js';
import { UploadProgressBar } from './upload-progress-bar.js';

const rowErrorChoices: { value: OnRowError; label: string; hint: string }[] = [
  {
    value: 'reject',
    label: 'Stop at the first bad rows',
    hint: 'Nothing is stored if any row does not fit; you see which lines to fix.',
  },
  {
    value: 'quarantine',
    label: 'Keep good rows',
    hint: 'Bad rows are set aside and can be downloaded to fix later.',
  },
];

/** Upload a CSV: choose or drop it, name it, say what to do with bad rows, follow its progress. */
export function UploadPanel() {
  const [file, setFile] = useState<File | undefined>(undefined);
  const [name, setName] = useState('');
  const [onError, setOnError] = useState<OnRowError>('reject');
  const upload = useUploadFlow();
  const busy = upload.state.status === 'running';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (file && !busy) upload.start(file, { name, onError });
  };

  const chooseFile = (chosen: File) => {
    setFile(chosen);
    if (upload.state.status !== 'idle') upload.reset();
  };

  const startOver = () => {
    setFile(undefined);
    setName('');
    upload.reset();
  };

  return (
    <Card aria-labelledby="upload-heading" className="flex flex-col gap-4">
      <h2 id="upload-heading" className="text-lg font-semibold">
        Upload a CSV
      </h2>
      {upload.state.status === 'succeeded' ? (
        <UploadSucceeded result={upload.state.result} onAnother={startOver} />
      ) : (
        <form onSubmit={submit} className="flex flex-col gap-4" aria-busy={busy}>
          <UploadDropZone file={file} disabled={busy} onFile={chooseFile} />
          <div className="grid gap-4 md:grid-cols-2">
            <TextField
              label="Name (optional)"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder={file ? file.name.replace(/\.[^.]+$/, '') : 'The file name'}
              maxLength={200}
              disabled={busy}
              hint="Shown in the list; defaults to the file name."
            />
            <fieldset disabled={busy} className="flex flex-col gap-2">
              <legend className="mb-1 text-sm font-medium">When rows do not fit their columns</legend>
              {rowErrorChoices.map((choice) => (
                <label key={choice.value} className="flex cursor-pointer items-start gap-2 text-sm">
                  <input
                    type="radio"
                    name="on-error"
                    value={choice.value}
                    checked={onError === choice.value}
                    onChange={() => setOnError(choice.value)}
                    className="mt-0.5 h-4 w-4 accent-indigo-600"
                  />
                  <span>
                    <span className="font-medium">{choice.label}</span>
                    <span className="block text-xs text-slate-600 dark:text-slate-400">{choice.hint}</span>
                  </span>
                </label>
              ))}
            </fieldset>
          </div>

          {upload.state.status === 'running' && upload.view && <UploadProgressBar view={upload.view} />}
          {upload.state.status === 'running' && upload.state.result && (
            <p className="text-sm">
              The rows are stored.{' '}
              <Link
                to={`/app/datasets/${upload.state.result.dataset.id}`}
                className="font-medium text-indigo-700 underline dark:text-indigo-300"
              >
                Open “{upload.state.result.dataset.name}”
              </Link>{' '}
              now, or wait for the column profiles.
            </p>
          )}
          {upload.state.status === 'failed' && <UploadProblem error={upload.state.error} />}
          {upload.state.status === 'cancelled' && (
            <p role="status" className="text-sm text-slate-700 dark:text-slate-300">
              Upload cancelled. Nothing was stored.
            </p>
          )}

          <div className="flex flex-wrap gap-2">
            {busy ? (
              upload.canCancel && (
                // Distinct keys: React must not turn this very button into the submit button
                // while its click is still being handled (the form would submit again).
                <Button key="cancel" variant="secondary" onClick={upload.cancel}>
                  Cancel upload
                </Button>
              )
            ) : (
              <Button key="submit" type="submit" disabled={!file}>
                {upload.state.status === 'failed' || upload.state.status === 'cancelled'
                  ? 'Try again'
                  : 'Upload'}
              </Button>
            )}
            {!file && !busy && (
              <p className="self-center text-sm text-slate-600 dark:text-slate-400">Choose a file first.</p>
            )}
          </div>
        </form>
      )}
    </Card>
  );
}

function UploadSucceeded({ result, onAnother }: { result: UploadResultData; onAnother: () => void }) {
  const toast = useToast();
  const [downloading, setDownloading] = useState(false);
  const { dataset } = result;
  return (
    <div className="flex flex-col gap-3" role="status">
      <p className="text-sm">
        <span className="font-semibold text-emerald-700 dark:text-emerald-400">Done.</span> “{dataset.name}”
        has {formatCount(dataset.rowCount)} rows and {formatCount(dataset.columns.length)} columns.
      </p>
      {result.rejectedRowCount > 0 && (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          <p>
            {formatCount(result.rejectedRowCount)} {result.rejectedRowCount === 1 ? 'row was' : 'rows were'}{' '}
            set aside because {result.rejectedRowCount === 1 ? 'it does' : 'they do'} not fit the columns.
          </p>
          <Button
            variant="secondary"
            className="mt-2"
            disabled={downloading}
            onClick={async () => {
              setDownloading(true);
              try {
                await downloadRejectedRows(dataset.id, dataset.name);
              } catch {
                toast('error', 'The rejected rows could not be downloaded. Try again.');
              } finally {
                setDownloading(false);
              }
            }}
          >
            {downloading ? 'Downloading…' : 'Download rejected rows'}
          </Button>
        </div>
      )}
      <div className="flex flex-wrap gap-2">
        <Link
          to={`/app/datasets/${dataset.id}`}
          className="inline-flex items-center rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500"
        >
          Open “{dataset.name}”
        </Link>
        <Button variant="secondary" onClick={onAnother}>
          Upload another file
        </Button>
      </div>
    </div>
  );
}
