import type { FieldError } from '../../../../../contracts/http/problem.js';
import { AppError } from '../../../../platform/http/errors.js';

export class UploadTooLarge extends AppError {
  constructor(readonly maxBytes: number) {
    super(
      'upload-too-large',
      413,
      'File too large',
      `The file is larger than the limit of ${formatBytes(maxBytes)}.`,
    );
  }
}

export class TooManyColumns extends AppError {
  constructor(found: number, max: number) {
    super(
      'too-many-columns',
      422,
      'Too many columns',
      `The file has ${found} columns; at most ${max} are allowed.`,
    );
  }
}

export class EmptyFile extends AppError {
  constructor() {
    super('empty-file', 422, 'Empty file', 'The file is empty: a CSV needs at least a header line.');
  }
}

export class NotCsv extends AppError {
  constructor(why: string) {
    super('not-csv', 422, 'Not a CSV file', `This does not look like a CSV text file: ${why}.`);
  }
}

/** The file cannot be split into records at all (not one bad row: the structure is broken). */
export class CsvMalformed extends AppError {
  constructor(line: number, why: string) {
    super('csv-malformed', 422, 'Malformed CSV', `Line ${line}: ${why}.`, [
      { field: `line ${line}`, message: why },
    ]);
  }
}

export interface RowProblem {
  line: number;
  /** Original header of the offending column; absent when the whole row is wrong (ragged). */
  column?: string;
  value?: string;
  reason: string;
}

export class CsvRejected extends AppError {
  constructor(
    readonly problems: RowProblem[],
    readonly more: boolean,
  ) {
    super(
      'csv-rejected',
      422,
      'Rows rejected',
      `Some rows do not fit the columns (the first ${problems.length}${more ? ' are' : ' are all that were'} shown). ` +
        'Fix the file, override the column types, or upload with on_error=quarantine to load the good rows.',
      problems.map(toFieldError),
    );
  }
}

function toFieldError(problem: RowProblem): FieldError {
  return {
    field:
      problem.column === undefined
        ? `line ${problem.line}`
        : `line ${problem.line}, column "${problem.column}"`,
    message: problem.reason,
  };
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return `${value} ${units[unit]}`;
}
