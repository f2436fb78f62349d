import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AdminUpdateUserBody, AdminUserList, AdminUserListQuery } from '../../../contracts/axi/auth.js';
import { useSession } from '../../shared/auth/session.js';
import { listUsers, updateUser } from './api.js';

/** Query keys of user administration, in one place so invalidation cannot miss one. */
export const adminKeys = {
  all: ['admin'] as const,
  userLists: () => [...adminKeys.all, 'users'] as const,
  userList: (query: Partial<AdminUserListQuery>) => [...adminKeys.userLists(), query] as const,
};

export function useAdminUsers(query: Partial<AdminUserListQuery>, enabled = true) {
  return useQuery({
    queryKey: adminKeys.userList(query),
    queryFn: () => listUsers(query),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** Changes roles or disables; the answer replaces the user in every cached page at once. */
export function useUpdateUser() {
  const queryClient = useQueryClient();
  const { user, reloadUser } = useSession();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: AdminUpdateUserBody }) => updateUser(id, changes),
    onSuccess: (updated) => {
      queryClient.setQueriesData<AdminUserList>({ queryKey: adminKeys.userLists() }, (page) =>
        page ? { ...page, items: page.items.map((u) => (u.id === updated.id ? updated : u)) } : page,
      );
      void queryClient.invalidateQueries({ queryKey: adminKeys.userLists() });
      // Changing your own roles changes what the hub shows you.
      if (updated.id === user?.id) reloadUser().catch(() => undefined);
    },
  });
}
