import { AppError, TooManyRequests } from '../../../platform/http/errors.js';

/**
 * Wrong password, unknown e-mail and a locked account all answer with this one error, so the
 * response never tells an attacker which of them it was.
 */
export class InvalidCredentials extends AppError {
  constructor() {
    super('invalid-credentials', 401, 'Invalid credentials', 'The e-mail or password is wrong.');
  }
}

/** Only after the right password: telling its owner the account is disabled leaks nothing new. */
export class AccountDisabled extends AppError {
  constructor() {
    super('account-disabled', 403, 'Account disabled', 'This account is disabled; contact an administrator.');
  }
}

export class InvalidRefreshToken extends AppError {
  constructor(detail = 'The refresh token is missing, expired or revoked; sign in again.') {
    super('invalid-refresh-token', 401, 'Invalid refresh token', detail);
  }
}

export class InvalidChallenge extends AppError {
  constructor() {
    super(
      'invalid-challenge',
      401,
      'Invalid two-factor challenge',
      'The sign-in challenge is unknown, expired or used up; sign in again.',
    );
  }
}

export class InvalidTwoFactorCode extends AppError {
  constructor() {
    super('invalid-two-factor-code', 401, 'Invalid code', 'The code is wrong, expired or already used.');
  }
}

export class EmailTaken extends AppError {
  constructor() {
    super('email-taken', 409, 'E-mail already registered', 'An account with this e-mail already exists.', [
      { field: 'body.email', message: 'is already registered' },
    ]);
  }
}

export class Conflict extends AppError {
  constructor(detail: string) {
    super('conflict', 409, 'Conflict', detail);
  }
}

export class TooManyAttempts extends TooManyRequests {
  constructor(retryAfterSeconds: number) {
    super(
      retryAfterSeconds,
      `Too many sign-in attempts for this account; retry in ${retryAfterSeconds} seconds.`,
    );
  }
}
