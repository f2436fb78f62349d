import type { AdminUser, UserProfile } from '../../../../../contracts/axi/auth.js';
import type { Db } from '../../../../platform/db/database.js';
import { Forbidden, Unauthenticated } from '../../../../platform/http/errors.js';
import { type RequestContext, requireActor } from '../../../../platform/http/request-context.js';
import { AccountDisabled } from '../accounts.errors.js';
import { findUserById, type UserRow } from './users.repository.js';

export function toProfile(user: UserRow): UserProfile {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    organisation: user.organisation,
    locale: user.locale,
    timezone: user.timezone,
    roles: user.roles,
    twoFactorEnabled: user.totpEnabled,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function toAdminView(user: UserRow, now: Date): AdminUser {
  return {
    ...toProfile(user),
    disabled: user.disabled,
    lockedUntil: user.lockedUntil && user.lockedUntil > now ? user.lockedUntil.toISOString() : null,
  };
}

/**
 * The calling user's row. Access tokens are stateless, so this is where AXI's own endpoints
 * notice an account disabled since the token was issued. `session` refuses API keys: a key
 * must not manage keys, second factors or the profile, or a leaked key could entrench itself.
 */
export async function loadCallingUser(
  db: Db,
  ctx: RequestContext,
  options: { session: boolean },
): Promise<UserRow> {
  const actor = requireActor(ctx);
  if (options.session && actor.scopes) throw new Forbidden('This needs a signed-in user, not an API key.');
  const user = await findUserById(db, actor.id);
  if (!user) throw new Unauthenticated('The account behind this token no longer exists.');
  if (user.disabled) throw new AccountDisabled();
  return user;
}
