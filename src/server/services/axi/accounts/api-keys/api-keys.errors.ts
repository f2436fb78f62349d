import { unknownApiKeyCode } from '../../../../../contracts/axi/auth.js';
import { AppError } from '../../../../platform/http/errors.js';

/**
 * Introspection of a key that is unknown, revoked, expired or whose owner is disabled. One
 * answer for all four, so the endpoint does not tell which; a 404 (no usable key matches) rather
 * than a 401, which would read as "your own credentials were refused" to the calling service.
 */
export class UnknownApiKey extends AppError {
  constructor() {
    super(unknownApiKeyCode, 404, 'Unknown API key', 'The API key is unknown, revoked or expired.');
  }
}
