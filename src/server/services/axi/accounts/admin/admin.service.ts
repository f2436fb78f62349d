import type {
  AdminUpdateUserBody,
  AdminUser,
  AdminUserList,
  AdminUserListQuery,
} from '../../../../../contracts/axi/auth.js';
import type { Db } from '../../../../platform/db/database.js';
import { Forbidden, NotFound } from '../../../../platform/http/errors.js';
import { type RequestContext, requireActor } from '../../../../platform/http/request-context.js';
import { Conflict } from '../accounts.errors.js';
import { revokeAllOfUser } from '../tokens/refresh-tokens.repository.js';
import { loadCallingUser, toAdminView } from '../users/user-views.js';
import { countOtherActiveAdmins, findUserById, listUsers, updateUser } from '../users/users.repository.js';

/** User administration (role admin): list, change roles, disable. */
export function createAdminService({ db, clock }: { db: Db; clock: () => Date }) {
  async function requireAdmin(ctx: RequestContext) {
    requireActor(ctx, 'admin');
    // The token may predate a demotion or a disabling; administration trusts the row, not the token.
    const admin = await loadCallingUser(db, ctx, { session: true });
    if (!admin.roles.includes('admin')) throw new Forbidden('This needs one of the roles: admin.');
    return admin;
  }

  return {
    async list(ctx: RequestContext, query: AdminUserListQuery): Promise<AdminUserList> {
      await requireAdmin(ctx);
      const { items, total } = await listUsers(db, query);
      const now = clock();
      return {
        items: items.map((u) => toAdminView(u, now)),
        total,
        limit: query.limit,
        offset: query.offset,
      };
    },

    async update(ctx: RequestContext, id: string, changes: AdminUpdateUserBody): Promise<AdminUser> {
      const admin = await requireAdmin(ctx);
      const now = clock();
      const updated = await db.transaction().execute(async (tx) => {
        const user = await findUserById(tx, id, { forUpdate: true });
        if (!user) throw new NotFound('No user with this id.');
        const losesAdmin =
          user.roles.includes('admin') &&
          !user.disabled &&
          ((changes.roles && !changes.roles.includes('admin')) || changes.disabled === true);
        // Nobody can lock the platform out of its own administration.
        if (losesAdmin && (await countOtherActiveAdmins(tx, id)) === 0) {
          throw new Conflict('This is the last active admin; make another admin first.');
        }
        const row = await updateUser(tx, id, { ...changes, updatedAt: now });
        // A disabled account's sign-ins end now; its access tokens expire within their short TTL.
        if (changes.disabled) await revokeAllOfUser(tx, id, now);
        return row!;
      });
      ctx.log.info(
        { targetUserId: id, by: admin.id, roles: changes.roles, disabled: changes.disabled },
        'user changed by admin',
      );
      return toAdminView(updated, now);
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
