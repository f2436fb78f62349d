import { passwordMinLength } from '../../../contracts/axi/auth.js';

/** Live advice on length; strength is the server's judgement (zxcvbn, with the user's own words). */
export function passwordHint(password: string): string {
  const length = [...password].length;
  if (length === 0) return `At least ${passwordMinLength} characters. A few unrelated words work well.`;
  if (length < passwordMinLength) {
    const missing = passwordMinLength - length;
    return `${length} of ${passwordMinLength} characters: ${missing} more to go.`;
  }
  return `${length} characters: long enough. It must also be hard to guess; we check that when you sign up.`;
}
