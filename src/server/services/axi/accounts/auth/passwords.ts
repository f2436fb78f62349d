import { randomBytes } from 'node:crypto';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import argon2 from 'argon2';
import { ValidationFailed } from '../../../../platform/http/errors.js';

/** OWASP's argon2id baseline (19 MiB, 2 passes): strong, and a login stays well under 100 ms. */
const hashOptions = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const minimumStrength = 3;

// Building the dictionaries takes ~150 ms: once, on first use, not at import.
let zxcvbn: ZxcvbnFactory | undefined;
function strengthChecker(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
  });
  return zxcvbn;
}

/**
 * The strength half of the policy (the length half is in the contract). The user's own e-mail
 * and names count as guessable words. Throws a 400 whose `body.password` error says what to fix.
 */
export function assertStrongPassword(password: string, userInputs: (string | undefined | null)[]): void {
  const inputs = userInputs
    .filter((v): v is string => Boolean(v))
    .flatMap((v) => [v, v.split('@')[0]!, ...v.split(/[@.\s_-]+/)])
    .filter((v) => v.length >= 3);
  const result = strengthChecker().check(password, inputs);
  if (result.score >= minimumStrength) return;
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  throw new ValidationFailed(
    [
      {
        field: 'body.password',
        message: `is too easy to guess (strength ${result.score} of 4, needs ${minimumStrength}).${advice ? ` ${advice}` : ' Add more uncommon words.'}`,
      },
    ],
    'The password is too weak.',
  );
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, hashOptions);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash of nothing anyone knows: unknown e-mails are checked against it, so they take as long. */
export function createDummyHash(): Promise<string> {
  return hashPassword(randomBytes(32).toString('base64url'));
}
