import {
  type AdminUpdateUserBody,
  AdminUser,
  AdminUserList,
  type AdminUserListQuery,
} from '../../../contracts/axi/auth.js';
import { request } from '../../shared/api/http.js';

const base = '/api/v1/admin/users';

export function listUsers(query: Partial<AdminUserListQuery>) {
  return request(AdminUserList, { url: base, params: query });
}

export function updateUser(id: string, changes: AdminUpdateUserBody) {
  return request(AdminUser, { method: 'PATCH', url: `${base}/${id}`, data: changes });
}
