import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColumnDescription, DatasetDescription } from '../engine/engine.types.js';
import type { ProviderInput } from './provider.types.js';

export interface PromptFile {
  /** `nl2sql.v1`: the file name without `.md`, stored with every answer. */
  version: string;
  template: string;
}

/**
 * The repo's `prompts/` folder, found by walking up from this file: the same code runs from
 * `src/` (tests, tsx) and bundled from `dist/server/`, at different depths.
 */
function promptsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'prompts');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('prompts/ folder not found above the AIDE providers');
    dir = parent;
  }
}

/** Reads a versioned prompt once, at start: a missing file stops the start, not a question. */
export function loadPromptFile(version: string): PromptFile {
  return { version, template: readFileSync(join(promptsDir(), `${version}.md`), 'utf8') };
}

// Values come from the user's data: control characters and length are cut so a cell cannot
// pose as a new section of the prompt; they stay quoted (JSON) so they read as data.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const MAX_VALUE_CHARS = 60;
const MAX_VALUES = 8;

/** A value from the user's data, control characters made spaces and cut to `maxChars`. */
export const cleanValue = (v: string | number, maxChars: number) =>
  String(v).replace(controlCharacters, ' ').slice(0, maxChars);

const quoteValue = (v: string | number) => JSON.stringify(cleanValue(v, MAX_VALUE_CHARS));

function describeColumn(column: ColumnDescription): string {
  const parts = [`- "${column.name}" (${quoteValue(column.originalName)}): ${column.type}`];
  const values = (column.distinctValues ?? column.sampleValues ?? []).slice(0, MAX_VALUES);
  if (values.length > 0) parts.push(`values such as ${values.map(quoteValue).join(', ')}`);
  if (column.min !== undefined && column.max !== undefined)
    parts.push(`from ${quoteValue(column.min)} to ${quoteValue(column.max)}`);
  return parts.join('; ');
}

export const tableReference = (dataset: DatasetDescription) =>
  `"${dataset.table.schema}"."${dataset.table.name}"`;

/** The system prompt: the template with the dataset's table and columns filled in. */
export function renderSystemPrompt(prompt: PromptFile, dataset: DatasetDescription): string {
  const fields: Record<string, string> = {
    title: quoteValue(dataset.title ?? dataset.table.name),
    table: tableReference(dataset),
    columns: dataset.columns.map(describeColumn).join('\n'),
  };
  return prompt.template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => fields[key] ?? whole);
}

/** The user message: the question, the conversation so far and, on a repair, what went wrong. */
export function renderUserPrompt(input: ProviderInput): string {
  const lines = [`Question: ${JSON.stringify(input.question)}`];
  if (input.context && input.context.length > 0)
    lines.push(
      `Earlier questions in this conversation, oldest first: ${input.context.map((q) => JSON.stringify(q)).join('; ')}`,
    );
  if (input.previousError)
    lines.push(
      'Your previous answer was refused.',
      `SQL: ${input.previousError.sql}`,
      `Error: ${input.previousError.message}`,
      'Write a corrected query that follows every rule, or set understood to false.',
    );
  return lines.join('\n');
}
