/** How sign-in resists guessing. Constants, not config: changing them is a security decision. */
export const loginPolicy = {
  /** Consecutive failures before the account locks. */
  lockAfterFailures: 5,
  /** First lock; each further failure after a lock doubles it, up to the cap. */
  firstLockMs: 60_000,
  maxLockMs: 60 * 60_000,
  /** Sign-in attempts per e-mail address per window, whoever sends them. */
  perAccountAttempts: 10,
  perAccountWindowMs: 15 * 60_000,
  /** Sign-in and registration requests per client IP per minute. */
  perIpPerMinute: 20,
  /** A 2FA challenge lives this long and allows this many wrong codes. */
  challengeTtlMs: 5 * 60_000,
  challengeAttempts: 5,
} as const;

/** The lock after `failures` consecutive failures: 1, 2, 4, ... minutes, capped; none before the threshold. */
export function lockDurationMs(failures: number): number | undefined {
  if (failures < loginPolicy.lockAfterFailures) return undefined;
  const doublings = Math.min(failures - loginPolicy.lockAfterFailures, 30);
  return Math.min(loginPolicy.firstLockMs * 2 ** doublings, loginPolicy.maxLockMs);
}
