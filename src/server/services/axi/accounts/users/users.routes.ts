import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DisableTwoFactorBody,
  RecoveryCodes,
  TwoFactorCodeBody,
  TwoFactorEnrolment,
  UpdateProfileBody,
  UserProfile,
} from '../../../../../contracts/axi/auth.js';
import { Problem } from '../../../../../contracts/http/problem.js';
import type { TwoFactorService } from '../two-factor/two-factor.service.js';
import type { UsersService } from './users.service.js';

const security = [{ bearerAuth: [] }];
/** Guessing a code or password through a stolen session is throttled per user. */
const perUserSecondFactorLimit = { rateLimit: { max: 10, timeWindow: 60_000 } };

export const usersRoutes: FastifyPluginAsyncZod<{
  users: UsersService;
  twoFactor: TwoFactorService;
}> = async (app, { users, twoFactor }) => {
  app.get(
    '/users/me',
    {
      schema: {
        tags: ['axi: users'],
        summary: 'Your profile',
        security,
        response: { 200: UserProfile, 401: Problem, 403: Problem },
      },
    },
    (req) => users.me(req.ctx),
  );

  app.patch(
    '/users/me',
    {
      schema: {
        tags: ['axi: users'],
        summary: 'Change your display name, organisation, locale (BCP 47) or time zone (IANA)',
        security,
        body: UpdateProfileBody,
        response: { 200: UserProfile, 400: Problem, 401: Problem, 403: Problem },
      },
    },
    (req) => users.updateMe(req.ctx, req.body),
  );

  app.post(
    '/users/me/2fa/enrol',
    {
      schema: {
        tags: ['axi: users'],
        summary: 'Start two-factor enrolment: a new TOTP secret as an otpauth URI and a QR code',
        security,
        response: { 200: TwoFactorEnrolment, 401: Problem, 403: Problem, 409: Problem },
      },
    },
    (req) => twoFactor.enrol(req.ctx),
  );

  app.post(
    '/users/me/2fa/confirm',
    {
      config: perUserSecondFactorLimit,
      schema: {
        tags: ['axi: users'],
        summary: 'Turn two-factor sign-in on with a first code; answers the one-time recovery codes',
        security,
        body: TwoFactorCodeBody,
        response: {
          200: RecoveryCodes,
          400: Problem,
          401: Problem,
          403: Problem,
          409: Problem,
          429: Problem,
        },
      },
    },
    (req) => twoFactor.confirm(req.ctx, req.body.code),
  );

  app.post(
    '/users/me/2fa/disable',
    {
      config: perUserSecondFactorLimit,
      schema: {
        tags: ['axi: users'],
        summary: 'Turn two-factor sign-in off (needs your password and a code or recovery code)',
        security,
        body: DisableTwoFactorBody,
        response: { 204: z.null(), 400: Problem, 401: Problem, 403: Problem, 409: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      await twoFactor.disable(req.ctx, req.body);
      return reply.status(204).send(null);
    },
  );
};
