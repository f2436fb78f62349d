import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { Db } from '../../../../platform/db/database.js';
import { sha256 } from '../secrets.js';
import { claimTotpStep, consumeRecoveryCode, type UserRow } from '../users/users.repository.js';

const totpIssuer = 'AXI';
const recoveryAlphabet = 'abcdefghjkmnpqrstuvwxyz23456789';

export function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: totpIssuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The 30 s step a code belongs to (one step of clock drift either way), or undefined. */
export function matchingStep(secretBase32: string, code: string, now: Date): number | undefined {
  const totp = totpFor(secretBase32, 'check');
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return undefined;
  return totp.counter({ timestamp: now.getTime() }) + delta;
}

/** 16 characters (~78 bits) in groups of four, from an alphabet without look-alike characters. */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(16);
    const chars = [...bytes].map((b) => recoveryAlphabet[b % recoveryAlphabet.length]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

export function hashRecoveryCode(code: string): string {
  return sha256(code.toLowerCase().replace(/[\s-]/g, ''));
}

/**
 * Checks a second factor: a current TOTP code not used before, or an unused recovery code,
 * which this consumes. Both claims are conditional updates, so a code works exactly once.
 */
export async function verifySecondFactor(db: Db, user: UserRow, code: string, now: Date): Promise<boolean> {
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) {
    if (!user.totpSecret) return false;
    const step = matchingStep(user.totpSecret, trimmed, now);
    return step !== undefined && (await claimTotpStep(db, user.id, step));
  }
  return consumeRecoveryCode(db, user.id, hashRecoveryCode(trimmed), now);
}
