import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  LoginBody,
  LoginResponse,
  RefreshBody,
  RegisterBody,
  TokenResponse,
  TwoFactorLoginBody,
  UserProfile,
} from '../../../../../contracts/axi/auth.js';
import { Problem } from '../../../../../contracts/http/problem.js';
import type { AuthService, Session } from './auth.service.js';
import { loginPolicy } from './login-policy.js';

export const refreshCookieName = 'axi_refresh';

/** Per client IP, on every route that takes a password or a code. */
const perIpLimit = {
  rateLimit: {
    max: loginPolicy.perIpPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => `ip:${request.ip}`,
  },
};

/**
 * Sign-up and sign-in. The refresh token always travels as an httpOnly, Secure, SameSite=Strict
 * cookie scoped to these routes (so page scripts never see it); a non-browser client may ask
 * for it in the body instead (`includeRefreshToken` at login, or by refreshing with a body).
 */
export const authRoutes: FastifyPluginAsyncZod<{ auth: AuthService }> = async (app, { auth }) => {
  await app.register(cookie);
  const cookiePath = `${app.prefix}/auth`;

  const setRefreshCookie = (reply: FastifyReply, session: Session) =>
    reply.setCookie(refreshCookieName, session.refreshToken, {
      httpOnly: true,
      secure: true,
      sameSite: 'strict',
      path: cookiePath,
      maxAge: session.refreshTokenMaxAgeSeconds,
    });
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  app.post(
    '/auth/register',
    {
      config: perIpLimit,
      schema: {
        tags: ['axi: auth'],
        summary: 'Create an account (new accounts are analysts; AXI_ADMIN_EMAILS become admins)',
        body: RegisterBody,
        response: { 201: UserProfile, 400: Problem, 409: Problem, 429: Problem },
      },
    },
    async (req, reply) => reply.status(201).send(await auth.register(req.ctx, req.body)),
  );

  app.post(
    '/auth/token',
    {
      config: perIpLimit,
      schema: {
        tags: ['axi: auth'],
        summary:
          'Sign in with e-mail and password; with 2FA on, answers a challenge for POST /auth/token/2fa',
        body: LoginBody,
        response: { 200: LoginResponse, 400: Problem, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      const outcome = await auth.login(req.ctx, req.body);
      noStore(reply);
      if (outcome.kind === 'challenge') return outcome.challenge;
      setRefreshCookie(reply, outcome.session);
      return outcome.session.body;
    },
  );

  app.post(
    '/auth/token/2fa',
    {
      config: perIpLimit,
      schema: {
        tags: ['axi: auth'],
        summary: 'Finish a sign-in with the authenticator code or a recovery code',
        body: TwoFactorLoginBody,
        response: { 200: TokenResponse, 400: Problem, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      const session = await auth.completeTwoFactorLogin(req.ctx, req.body);
      setRefreshCookie(noStore(reply), session);
      return session.body;
    },
  );

  app.post(
    '/auth/refresh',
    {
      schema: {
        tags: ['axi: auth'],
        summary: 'Trade a refresh token (cookie or body) for a new access token and a new refresh token',
        body: RefreshBody,
        response: { 200: TokenResponse, 400: Problem, 401: Problem },
      },
    },
    async (req, reply) => {
      const fromBody = req.body?.refreshToken;
      const presented = fromBody ?? req.cookies[refreshCookieName];
      const session = await auth.refresh(req.ctx, presented, fromBody !== undefined);
      setRefreshCookie(noStore(reply), session);
      return session.body;
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['axi: auth'],
        summary: 'End this sign-in: revokes the refresh token (cookie or body) and all its rotations',
        body: RefreshBody,
        response: { 204: z.null(), 400: Problem },
      },
    },
    async (req, reply) => {
      await auth.logout(req.ctx, req.body?.refreshToken ?? req.cookies[refreshCookieName]);
      reply.clearCookie(refreshCookieName, {
        path: cookiePath,
        httpOnly: true,
        secure: true,
        sameSite: 'strict',
      });
      return reply.status(204).send(null);
    },
  );
};
