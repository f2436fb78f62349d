import type { z } from 'zod';
import { ApiError } from '../../shared/api/http.js';

/**
 * Field messages, from the contract's own checks before sending and from the server's
 * problem+json after. Both phrase a message as a predicate ("is already registered"), so the
 * form puts the field's label in front: "E-mail is already registered".
 */
export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export function issuesToFieldErrors<K extends string>(
  error: z.ZodError,
  labels: Record<K, string>,
): FieldErrors<K> {
  const out: FieldErrors<K> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '') as K;
    if (field in labels && !out[field]) out[field] = `${labels[field]} ${issue.message}`;
  }
  return out;
}

export function apiFieldErrors<K extends string>(error: unknown, labels: Record<K, string>): FieldErrors<K> {
  const out: FieldErrors<K> = {};
  if (!(error instanceof ApiError)) return out;
  for (const field of Object.keys(labels) as K[]) {
    const message = error.fieldError(field);
    if (message) out[field] = `${labels[field]} ${message}`;
  }
  return out;
}

/** One sentence for the whole form, when no field took the blame. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429)
      return error.problem?.detail ?? 'Too many attempts; wait a minute and try again.';
    if (error.status >= 500 || !error.problem) {
      return `Something went wrong on our side. ${error.problem?.detail ?? 'Try again in a moment.'}`;
    }
    return error.problem.detail ?? error.problem.title;
  }
  return error instanceof Error ? error.message : 'Something went wrong. Try again.';
}
