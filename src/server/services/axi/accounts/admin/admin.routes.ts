import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AdminUpdateUserBody,
  AdminUser,
  AdminUserList,
  AdminUserListQuery,
  UserIdParams,
} from '../../../../../contracts/axi/auth.js';
import { Problem } from '../../../../../contracts/http/problem.js';
import { requireRole } from '../../../../platform/http/request-context.js';
import type { AdminService } from './admin.service.js';

const security = [{ bearerAuth: [] }];

export const adminRoutes: FastifyPluginAsyncZod<{ admin: AdminService }> = async (app, { admin }) => {
  app.get(
    '/admin/users',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['axi: admin'],
        summary: 'List accounts, oldest first (admin)',
        security,
        querystring: AdminUserListQuery,
        response: { 200: AdminUserList, 400: Problem, 401: Problem, 403: Problem },
      },
    },
    (req) => admin.list(req.ctx, req.query),
  );

  app.patch(
    '/admin/users/:id',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['axi: admin'],
        summary: "Change an account's roles or disable it (admin); disabling ends its sign-ins",
        security,
        params: UserIdParams,
        body: AdminUpdateUserBody,
        response: { 200: AdminUser, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem },
      },
    },
    (req) => admin.update(req.ctx, req.params.id, req.body),
  );
};
