import type { UpdateProfileBody, UserProfile } from '../../../../../contracts/axi/auth.js';
import type { Db } from '../../../../platform/db/database.js';
import type { RequestContext } from '../../../../platform/http/request-context.js';
import { loadCallingUser, toProfile } from './user-views.js';
import { updateUser } from './users.repository.js';

/** The caller's own profile. */
export function createUsersService({ db, clock }: { db: Db; clock: () => Date }) {
  return {
    async me(ctx: RequestContext): Promise<UserProfile> {
      return toProfile(await loadCallingUser(db, ctx, { session: false }));
    },

    async updateMe(ctx: RequestContext, changes: UpdateProfileBody): Promise<UserProfile> {
      const user = await loadCallingUser(db, ctx, { session: true });
      const { organisation, ...rest } = changes;
      const updated = await updateUser(db, user.id, {
        ...rest,
        // An empty organisation clears it, like null.
        ...(organisation !== undefined ? { organisation: organisation || null } : {}),
        updatedAt: clock(),
      });
      return toProfile(updated!);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
