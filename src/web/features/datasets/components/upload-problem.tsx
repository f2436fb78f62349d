import { ApiError } from '../../../shared/api/http.js';
import { UploadStoppedByServer } from './upload-flow.js';

interface Explained {
  title: string;
  detail: string | undefined;
  /** What the person can do about it. */
  advice: string;
  /** Row-level problems the server named (line and column), first few only. */
  rows: { field: string; message: string }[];
  moreRows: number;
}

const maxListedRows = 8;

/** Turns the server's problem+json into words: what went wrong and what to do next. */
export function explainUploadError(error: unknown): Explained {
  if (error instanceof UploadStoppedByServer) {
    // Only the message is known here; the limit message is the common case.
    const tooLarge = /larger than the limit/i.test(error.message);
    return {
      title: tooLarge ? 'This file is too large' : 'The server stopped the upload',
      detail: error.message,
      advice: tooLarge
        ? 'Split the file into smaller parts or drop columns you do not need, then upload again.'
        : 'Check the file and try again.',
      rows: [],
      moreRows: 0,
    };
  }
  if (!(error instanceof ApiError)) {
    return {
      title: 'The upload failed',
      detail: error instanceof Error ? error.message : undefined,
      advice: 'Try again; if it keeps failing, reload the page.',
      rows: [],
      moreRows: 0,
    };
  }
  const problem = error.problem;
  const code = problem?.type.replace(/^\/problems\//, '') ?? '';
  const errors = problem?.errors ?? [];
  const rows = errors.slice(0, maxListedRows);
  const base = { detail: problem?.detail, rows, moreRows: Math.max(0, errors.length - rows.length) };
  switch (code) {
    case 'upload-too-large':
    case 'payload-too-large':
      return {
        ...base,
        title: 'This file is too large',
        advice: 'Split the file into smaller parts or drop columns you do not need, then upload again.',
      };
    case 'not-csv':
    case 'unsupported-media-type':
      return {
        ...base,
        title: 'This is not a CSV file',
        advice: 'Export the data as CSV (comma, semicolon or tab separated text) and choose that file.',
      };
    case 'empty-file':
      return {
        ...base,
        title: 'No data in this file',
        advice: 'Choose a file with a header line and at least one row of data.',
      };
    case 'csv-malformed':
      return {
        ...base,
        title: 'The file cannot be read as CSV',
        advice: 'Fix the file at that line (often a quote that is never closed) and upload it again.',
      };
    case 'csv-rejected':
      return {
        ...base,
        // The server's detail names the API parameter (on_error); this says it in the form's words.
        detail: rejectedRowsSummary(errors.length, problem?.detail),
        title: 'Rows rejected',
        advice:
          'Fix the file and upload it again, or choose “Keep good rows” to load the rest and download the bad rows.',
      };
    case 'too-many-columns':
      return {
        ...base,
        title: 'Too many columns',
        advice: 'Remove columns you do not need and upload again.',
      };
    case 'upload-id-in-use':
      return {
        ...base,
        title: 'This upload is already running',
        advice: 'Wait for it to finish, or start again.',
      };
    case 'forbidden':
      return {
        ...base,
        title: 'You cannot upload datasets',
        advice: 'Ask an administrator for the analyst role.',
      };
    default:
      return {
        ...base,
        title: problem?.title ?? 'The upload failed',
        advice:
          error.status >= 500 || error.status === 0
            ? 'Try again in a moment.'
            : 'Check the file and try again.',
      };
  }
}

/** The rejection, announced when it appears. */
export function UploadProblem({ error }: { error: unknown }) {
  const explained = explainUploadError(error);
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p className="font-semibold">{explained.title}</p>
      {explained.detail && <p className="mt-1">{explained.detail}</p>}
      {explained.rows.length > 0 && (
        <ul className="mt-2 list-disc space-y-0.5 pl-5">
          {explained.rows.map((row) => (
            <li key={`${row.field}:${row.message}`}>
              <span className="font-medium">{capitalise(row.field)}</span>: {row.message}
            </li>
          ))}
          {explained.moreRows > 0 && <li>…and {explained.moreRows} more</li>}
        </ul>
      )}
      <p className="mt-2">{explained.advice}</p>
    </div>
  );
}

/** The server lists the first rejected rows; "all that were" in its detail means there are no more. */
function rejectedRowsSummary(listed: number, detail: string | undefined): string {
  if (listed === 0) return detail ?? 'Some rows do not fit the columns.';
  const complete = detail?.includes('all that were') ?? false;
  if (!complete) return `The first ${listed} rows that do not fit the columns:`;
  return listed === 1 ? 'One row does not fit the columns:' : `${listed} rows do not fit the columns:`;
}

function capitalise(text: string) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
