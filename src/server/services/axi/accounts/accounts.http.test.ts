import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RuntimeTarget, runtimeTargets } from '../../../../../test/support/runtime-targets.js';
import { startTestRuntime } from '../../../../../test/support/test-runtime.js';
import { createTestIssuer } from '../../../../../test/support/tokens.js';
import type { Runtime } from '../../../runtime.js';
import { echoModule } from '../../echo/index.js';
import type { ServiceModule } from '../../service-module.js';
import { loginPolicy } from './auth/login-policy.js';
import { accountsMigrations, createAccounts } from './index.js';

/**
 * AXI's accounts wired exactly as the AXI module wires them (routes under /api/v1, JWKS at the
 * root, start hook, token keys, API-key resolver), beside ECHO, whose protected route shows that
 * tokens and keys AXI issues are accepted by another service.
 */
const accountsModule: ServiceModule = {
  name: 'axi',
  description: 'AXI accounts (test wiring)',
  migrations: accountsMigrations,
  create(deps) {
    const accounts = createAccounts(deps);
    return {
      routes: async (app) => {
        await app.register(accounts.wellKnownRoutes);
        await app.register(accounts.routes, { prefix: '/api/v1' });
      },
      consumers: [],
      start: accounts.start,
      tokenKeys: accounts.tokenKeys,
      apiKeys: accounts.apiKeys,
    };
  },
};

const adminEmail = 'root@example.com';
const strongPassword = 'velvet-Harbour-quietly-47';
let emailSeq = 0;
let ipSeq = 0;
const newEmail = (tag = 'user') => `${tag}.${++emailSeq}@Example.com`;
/** Each request from its own address, so the per-IP login limit only bites where a test wants it. */
const freshIp = () => `10.1.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

function expectProblem(res: LightMyRequestResponse, status: number, type: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ type, status });
  return body as { title: string; detail?: string; errors?: { field: string; message: string }[] };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(runtimeTargets())('AXI accounts over HTTP on $name', (target: RuntimeTarget) => {
  let runtime: Runtime;
  let app: FastifyInstance;

  beforeAll(async () => {
    runtime = await startTestRuntime(
      { ...(await target.env()), AXI_ADMIN_EMAILS: adminEmail },
      { modules: [accountsModule, echoModule] },
    );
    app = runtime.apps[0]!.app;
  });
  afterAll(async () => {
    await runtime?.close();
    await target.cleanup();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const register = (body: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: body, remoteAddress: freshIp() });
  const login = (email: string, password: string, extra: Record<string, unknown> = {}, ip = freshIp()) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { email, password, ...extra },
      remoteAddress: ip,
    });

  /** A registered, signed-in user: its id, e-mail, access token and refresh token. */
  async function signedInUser(email = newEmail()) {
    const reg = await register({ email, password: strongPassword });
    expect(reg.statusCode, reg.body).toBe(201);
    const res = await login(email, strongPassword, { includeRefreshToken: true });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { accessToken: string; refreshToken: string };
    return { id: reg.json().id as string, email: email.toLowerCase(), ...body };
  }

  let adminToken: string | undefined;
  /** The operator-named admin (AXI_ADMIN_EMAILS), registered by whichever test needs it first. */
  async function admin() {
    if (!adminToken) {
      const reg = await register({ email: adminEmail, password: strongPassword });
      expect([201, 409]).toContain(reg.statusCode);
      const res = await login(adminEmail, strongPassword);
      expect(res.statusCode, res.body).toBe(200);
      adminToken = res.json().accessToken as string;
    }
    return adminToken;
  }

  describe('registration', () => {
    it('creates an analyst with defaults and answers its profile, never the password', async () => {
      const email = newEmail('Ana');
      const res = await register({ email, password: strongPassword, displayName: 'Ana Lyst' });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({
        email: email.toLowerCase(),
        displayName: 'Ana Lyst',
        organisation: null,
        locale: 'en',
        timezone: 'UTC',
        roles: ['analyst'],
        twoFactorEnabled: false,
      });
      expect(res.body).not.toMatch(/password|argon/i);
    });

    it('makes an address listed in AXI_ADMIN_EMAILS an admin', async () => {
      const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(await admin()) });
      expect(me.json()).toMatchObject({ email: adminEmail, roles: ['admin'] });
      const other = await register({ email: newEmail('root'), password: strongPassword });
      expect(other.json().roles).toEqual(['analyst']);
    });

    it('refuses a second account with the same e-mail in another case', async () => {
      const email = newEmail();
      expect((await register({ email, password: strongPassword })).statusCode).toBe(201);
      const again = expectProblem(
        await register({ email: email.toUpperCase(), password: strongPassword }),
        409,
        '/problems/email-taken',
      );
      expect(again.errors?.[0]?.field).toBe('body.email');
    });

    it.each([
      ['too short', 'Sh0rt-pass', /at least 12 characters/],
      ['too long', `${'Lx9-'.repeat(33)}`, /at most 128 characters/],
      ['common', 'password1234', /too easy to guess.*commonly used password/],
      ['made of the e-mail', 'carol.vandenberg1', /too easy to guess/],
    ])('refuses a %s password and says why', async (_case, password, message) => {
      const res = await register({ email: 'carol.vandenberg@example.com', password });
      const problem = expectProblem(res, 400, '/problems/validation-error');
      const error = problem.errors?.find((e) => e.field === 'body.password');
      expect(error?.message).toMatch(message);
    });

    it.each([
      ['not an address', { email: 'not-an-email' }, 'body.email'],
      ['a bad locale', { locale: 'english please' }, 'body.locale'],
      ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'body.timezone'],
    ])('refuses %s', async (_case, patch, field) => {
      const res = await register({ email: newEmail(), password: strongPassword, ...patch });
      const problem = expectProblem(res, 400, '/problems/validation-error');
      expect(problem.errors?.map((e) => e.field)).toContain(field);
    });
  });

  describe('sign-in', () => {
    it('answers an ES256 access token that the published JWKS verifies, and a refresh cookie', async () => {
      const { id, email } = await signedInUser();
      const res = await login(email, strongPassword);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json();
      expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      expect(body).not.toHaveProperty('refreshToken');

      const jwks = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      expect(jwks.statusCode).toBe(200);
      expect(JSON.stringify(jwks.json())).not.toMatch(/"d"/);
      const { payload, protectedHeader } = await jwtVerify(body.accessToken, createLocalJWKSet(jwks.json()), {
        issuer: 'axi',
        audience: 'analytics-platform',
        algorithms: ['ES256'],
      });
      expect(protectedHeader.kid).toBe(jwks.json().keys[0].kid);
      expect(payload).toMatchObject({ sub: id, roles: ['analyst'] });
      expect(payload.exp! - payload.iat!).toBe(900);
      expect(payload.jti).toEqual(expect.any(String));

      const setCookie = String(res.headers['set-cookie']);
      expect(setCookie).toMatch(/^axi_refresh=[\w-]{40,};/);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('Secure');
      expect(setCookie).toContain('SameSite=Strict');
      expect(setCookie).toContain('Path=/api/v1/auth');
      expect(setCookie).toContain(`Max-Age=${30 * 86_400}`);
    });

    it('answers a wrong password and an unknown e-mail identically', async () => {
      const { email } = await signedInUser();
      const wrong = await login(email, 'not-the-password-at-all');
      const unknown = await login(newEmail('nobody'), 'not-the-password-at-all');
      for (const res of [wrong, unknown]) expectProblem(res, 401, '/problems/invalid-credentials');
      const strip = (r: LightMyRequestResponse) => {
        const { correlationId: _c, ...rest } = r.json();
        return rest;
      };
      expect(strip(wrong)).toEqual(strip(unknown));
      expect(wrong.headers['retry-after']).toBeUndefined();
      expect(unknown.headers['retry-after']).toBeUndefined();
    });

    it('locks the account after 5 failures, answering even the right password like a wrong one', async () => {
      const { email } = await signedInUser();
      for (let i = 0; i < loginPolicy.lockAfterFailures; i++) {
        expectProblem(await login(email, `wrong-password-${i}`), 401, '/problems/invalid-credentials');
      }
      expectProblem(await login(email, strongPassword), 401, '/problems/invalid-credentials');
      const list = await app.inject({
        method: 'GET',
        url: `/api/v1/admin/users?q=${email}`,
        headers: bearer(await admin()),
      });
      expect(list.json().items[0].lockedUntil).toEqual(expect.any(String));
    });

    it('limits sign-in attempts per account, whatever the address they come from', async () => {
      const email = newEmail('target');
      let last: LightMyRequestResponse | undefined;
      for (let i = 0; i <= loginPolicy.perAccountAttempts; i++) last = await login(email, 'guess-number-xyz');
      expectProblem(last!, 429, '/problems/rate-limited');
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('limits sign-in requests per client IP', async () => {
      const ip = '192.0.2.77';
      const statuses: number[] = [];
      for (let i = 0; i <= loginPolicy.perIpPerMinute; i++) {
        statuses.push((await login(newEmail('spray'), 'guess-number-xyz', {}, ip)).statusCode);
      }
      expect(statuses.slice(0, loginPolicy.perIpPerMinute).every((s) => s === 401)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
      // Another address is not affected.
      expect((await login(newEmail('spray'), 'guess-number-xyz')).statusCode).toBe(401);
    });
  });

  describe('refresh tokens', () => {
    const refresh = (token: { body?: string; cookie?: string }) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        ...(token.body ? { payload: { refreshToken: token.body } } : {}),
        ...(token.cookie ? { cookies: { axi_refresh: token.cookie } } : {}),
      });

    it('rotates on every use; a rotated token used again revokes the whole family', async () => {
      const user = await signedInUser();
      const first = await refresh({ body: user.refreshToken });
      expect(first.statusCode, first.body).toBe(200);
      const second = first.json().refreshToken as string;
      expect(second).toBeDefined();
      expect(second).not.toBe(user.refreshToken);

      const reuse = expectProblem(
        await refresh({ body: user.refreshToken }),
        401,
        '/problems/invalid-refresh-token',
      );
      expect(reuse.detail).toMatch(/already used/);
      // The thief's replay killed the legitimate client's newer token too.
      expectProblem(await refresh({ body: second }), 401, '/problems/invalid-refresh-token');
    });

    it('accepts the cookie and answers with a new cookie, not a body token', async () => {
      const user = await signedInUser();
      const res = await refresh({ cookie: user.refreshToken });
      expect(res.statusCode).toBe(200);
      expect(res.json()).not.toHaveProperty('refreshToken');
      const next = /axi_refresh=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1];
      expect(next).toBeDefined();
      expect((await refresh({ cookie: next! })).statusCode).toBe(200);
    });

    it('answers 401 without a token, and for an unknown one', async () => {
      expectProblem(await refresh({}), 401, '/problems/invalid-refresh-token');
      expectProblem(await refresh({ body: 'made-up-token' }), 401, '/problems/invalid-refresh-token');
    });

    it('logout revokes the family and clears the cookie', async () => {
      const user = await signedInUser();
      const rotated = (await refresh({ body: user.refreshToken })).json().refreshToken as string;
      const out = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        cookies: { axi_refresh: user.refreshToken },
      });
      expect(out.statusCode).toBe(204);
      expect(String(out.headers['set-cookie'])).toMatch(/axi_refresh=;.*Path=\/api\/v1\/auth/);
      expectProblem(await refresh({ body: rotated }), 401, '/problems/invalid-refresh-token');
    });
  });

  describe('access tokens', () => {
    it('are accepted by another service, which enforces its own roles', async () => {
      const user = await signedInUser();
      const events = await app.inject({
        method: 'GET',
        url: '/api/echo/events',
        headers: bearer(user.accessToken),
      });
      expect(events.statusCode).toBe(200);
    });

    it('are refused when tampered with, unsigned or signed by another key', async () => {
      const user = await signedInUser();
      const [header, payload, signature] = user.accessToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const elevated = `${header}.${b64url({ ...claims, roles: ['admin'] })}.${signature}`;
      const kid = decodeProtectedHeader(user.accessToken).kid;
      const unsigned = `${b64url({ alg: 'none', typ: 'JWT', kid })}.${payload}.`;
      const impostor = await createTestIssuer();
      const foreign = await impostor.token({ sub: user.id, roles: ['admin'] });
      for (const token of [elevated, unsigned, foreign]) {
        const res = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) });
        expectProblem(res, 401, '/problems/unauthenticated');
      }
    });
  });

  describe('profile', () => {
    it('reads and changes the own profile; locale and time zone are canonicalised', async () => {
      const user = await signedInUser();
      const me = await app.inject({
        method: 'GET',
        url: '/api/v1/users/me',
        headers: bearer(user.accessToken),
      });
      expect(me.json()).toMatchObject({ id: user.id, email: user.email });
      const patched = await app.inject({
        method: 'PATCH',
        url: '/api/v1/users/me',
        headers: bearer(user.accessToken),
        payload: { displayName: 'Dana', organisation: 'Acme', locale: 'de-ch', timezone: 'europe/berlin' },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({
        displayName: 'Dana',
        organisation: 'Acme',
        locale: 'de-CH',
        timezone: 'Europe/Berlin',
      });
    });

    it('names each bad field and changes nothing', async () => {
      const user = await signedInUser();
      const res = await app.inject({
        method: 'PATCH',
        url: '/api/v1/users/me',
        headers: bearer(user.accessToken),
        payload: { locale: '12345678901', timezone: 'Nowhere/Special', displayName: 'Never' },
      });
      const problem = expectProblem(res, 400, '/problems/validation-error');
      expect(problem.errors?.map((e) => e.field).sort()).toEqual(['body.locale', 'body.timezone']);
      const me = await app.inject({
        method: 'GET',
        url: '/api/v1/users/me',
        headers: bearer(user.accessToken),
      });
      expect(me.json().displayName).not.toBe('Never');
    });

    it('needs a token', async () => {
      expectProblem(
        await app.inject({ method: 'GET', url: '/api/v1/users/me' }),
        401,
        '/problems/unauthenticated',
      );
    });
  });

  describe('two-factor sign-in', () => {
    it('enrols, confirms, challenges, accepts a recovery code once, and disables', async () => {
      const user = await signedInUser();
      const auth = bearer(user.accessToken);
      const enrol = await app.inject({ method: 'POST', url: '/api/v1/users/me/2fa/enrol', headers: auth });
      expect(enrol.statusCode, enrol.body).toBe(200);
      const { secret, otpauthUri, qrCode } = enrol.json();
      expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/AXI:.*secret=/);
      expect(qrCode).toMatch(/^data:image\/png;base64,/);
      const totp = new TOTP({ secret: Secret.fromBase32(secret) });
      const t0 = Date.now();

      const wrong = await app.inject({
        method: 'POST',
        url: '/api/v1/users/me/2fa/confirm',
        headers: auth,
        payload: { code: totp.generate({ timestamp: t0 - 10 * 60_000 }) },
      });
      expectProblem(wrong, 400, '/problems/validation-error');
      const confirm = await app.inject({
        method: 'POST',
        url: '/api/v1/users/me/2fa/confirm',
        headers: auth,
        payload: { code: totp.generate({ timestamp: t0 }) },
      });
      expect(confirm.statusCode, confirm.body).toBe(200);
      const { recoveryCodes } = confirm.json() as { recoveryCodes: string[] };
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);

      // The password alone now yields a challenge, not tokens.
      const challenge = async () => {
        const res = await login(user.email, strongPassword);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ mfaRequired: true });
        expect(res.json()).not.toHaveProperty('accessToken');
        return res.json().challengeToken as string;
      };
      const second = (challengeToken: string, code: string) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/token/2fa',
          payload: { challengeToken, code },
          remoteAddress: freshIp(),
        });

      const nextCode = totp.generate({ timestamp: t0 + 30_000 });
      const c1 = await challenge();
      expectProblem(
        await second(c1, '000000' === nextCode ? '111111' : '000000'),
        401,
        '/problems/invalid-two-factor-code',
      );
      const ok = await second(c1, nextCode);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().accessToken).toEqual(expect.any(String));
      // The challenge is spent, and the code cannot be replayed on a fresh one.
      expectProblem(await second(c1, nextCode), 401, '/problems/invalid-challenge');
      expectProblem(await second(await challenge(), nextCode), 401, '/problems/invalid-two-factor-code');

      const withRecovery = await second(await challenge(), recoveryCodes[0]!.toUpperCase());
      expect(withRecovery.statusCode, withRecovery.body).toBe(200);
      expectProblem(
        await second(await challenge(), recoveryCodes[0]!),
        401,
        '/problems/invalid-two-factor-code',
      );

      const badDisable = await app.inject({
        method: 'POST',
        url: '/api/v1/users/me/2fa/disable',
        headers: auth,
        payload: { password: 'not-my-password', code: recoveryCodes[1] },
      });
      expect(expectProblem(badDisable, 400, '/problems/validation-error').errors?.[0]?.field).toBe(
        'body.password',
      );
      const disable = await app.inject({
        method: 'POST',
        url: '/api/v1/users/me/2fa/disable',
        headers: auth,
        payload: { password: strongPassword, code: recoveryCodes[1] },
      });
      expect(disable.statusCode, disable.body).toBe(204);
      const plain = await login(user.email, strongPassword);
      expect(plain.json().accessToken).toEqual(expect.any(String));
    });
  });

  describe('administration', () => {
    it('lists accounts page by page for admins only', async () => {
      const user = await signedInUser();
      const page = await app.inject({
        method: 'GET',
        url: '/api/v1/admin/users?limit=2&offset=0',
        headers: bearer(await admin()),
      });
      expect(page.statusCode, page.body).toBe(200);
      expect(page.json().items).toHaveLength(2);
      expect(page.json().total).toBeGreaterThan(2);
      expect(page.body).not.toMatch(/passwordHash|totpSecret/);
      const denied = await app.inject({
        method: 'GET',
        url: '/api/v1/admin/users',
        headers: bearer(user.accessToken),
      });
      expectProblem(denied, 403, '/problems/forbidden');
    });

    it('changes roles (seen at the next refresh) and disables accounts (sign-in and refresh end)', async () => {
      const user = await signedInUser();
      const demote = await app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${user.id}`,
        headers: bearer(await admin()),
        payload: { roles: ['viewer'] },
      });
      expect(demote.statusCode, demote.body).toBe(200);
      expect(demote.json().roles).toEqual(['viewer']);
      const refreshed = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: user.refreshToken },
      });
      const viewerToken = refreshed.json().accessToken as string;
      const events = await app.inject({
        method: 'GET',
        url: '/api/echo/events',
        headers: bearer(viewerToken),
      });
      expectProblem(events, 403, '/problems/forbidden');

      const disable = await app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${user.id}`,
        headers: bearer(await admin()),
        payload: { disabled: true },
      });
      expect(disable.json().disabled).toBe(true);
      expectProblem(await login(user.email, strongPassword), 403, '/problems/account-disabled');
      expectProblem(
        await app.inject({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken: refreshed.json().refreshToken },
        }),
        401,
        '/problems/invalid-refresh-token',
      );
      expectProblem(
        await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(viewerToken) }),
        403,
        '/problems/account-disabled',
      );
    });

    it('refuses to demote the last admin and answers 404 for an unknown user', async () => {
      const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(await admin()) });
      const self = await app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${me.json().id}`,
        headers: bearer(await admin()),
        payload: { roles: ['analyst'] },
      });
      expectProblem(self, 409, '/problems/conflict');
      const missing = await app.inject({
        method: 'PATCH',
        url: '/api/v1/admin/users/00000000-0000-4000-8000-000000000000',
        headers: bearer(await admin()),
        payload: { disabled: true },
      });
      expectProblem(missing, 404, '/problems/not-found');
    });
  });

  describe('API keys', () => {
    it('creates a key shown once, authenticates with it, records its use, and revokes it', async () => {
      const user = await signedInUser();
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: bearer(user.accessToken),
        payload: { name: 'nightly import', scopes: ['events:read', 'datasets:read'] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const { id, key, prefix } = created.json();
      expect(key).toMatch(/^axi_[\w-]{43}$/);
      expect(key.startsWith(prefix)).toBe(true);

      const listBefore = await app.inject({
        method: 'GET',
        url: '/api/v1/api-keys',
        headers: bearer(user.accessToken),
      });
      expect(listBefore.json().items).toEqual([expect.objectContaining({ id, prefix, lastUsedAt: null })]);
      expect(listBefore.body).not.toContain(key);

      const viaKey = await app.inject({
        method: 'GET',
        url: '/api/echo/events',
        headers: { 'x-api-key': key },
      });
      expect(viaKey.statusCode, viaKey.body).toBe(200);
      const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: { 'x-api-key': key } });
      expect(me.json().id).toBe(user.id);
      // A key cannot mint keys or change the account.
      const escalate = await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { 'x-api-key': key },
        payload: { name: 'more', scopes: ['datasets:write'] },
      });
      expectProblem(escalate, 403, '/problems/forbidden');

      const listAfter = await app.inject({
        method: 'GET',
        url: '/api/v1/api-keys',
        headers: bearer(user.accessToken),
      });
      expect(listAfter.json().items[0].lastUsedAt).toEqual(expect.any(String));

      const revoked = await app.inject({
        method: 'DELETE',
        url: `/api/v1/api-keys/${id}`,
        headers: bearer(user.accessToken),
      });
      expect(revoked.statusCode).toBe(204);
      expectProblem(
        await app.inject({ method: 'GET', url: '/api/echo/events', headers: { 'x-api-key': key } }),
        401,
        '/problems/unauthenticated',
      );
      expect(
        (
          await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(user.accessToken) })
        ).json().items,
      ).toEqual([]);
    });

    it("refuses scopes beyond the owner's roles, unknown keys, and another user's key id", async () => {
      const viewer = await signedInUser();
      await app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${viewer.id}`,
        headers: bearer(await admin()),
        payload: { roles: ['viewer'] },
      });
      const viewerToken = (
        await app.inject({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken: viewer.refreshToken },
        })
      ).json().accessToken as string;
      const tooMuch = await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: bearer(viewerToken),
        payload: { name: 'x', scopes: ['datasets:write'] },
      });
      expect(expectProblem(tooMuch, 400, '/problems/validation-error').errors?.[0]?.message).toMatch(
        /analyst/,
      );

      expectProblem(
        await app.inject({
          method: 'GET',
          url: '/api/v1/users/me',
          headers: { 'x-api-key': 'axi_not-a-real-key' },
        }),
        401,
        '/problems/unauthenticated',
      );

      const owner = await signedInUser();
      const key = (
        await app.inject({
          method: 'POST',
          url: '/api/v1/api-keys',
          headers: bearer(owner.accessToken),
          payload: { name: 'mine', scopes: ['datasets:read'] },
        })
      ).json();
      const other = await app.inject({
        method: 'DELETE',
        url: `/api/v1/api-keys/${key.id}`,
        headers: bearer(viewerToken),
      });
      expectProblem(other, 404, '/problems/not-found');
      // Both credentials at once is ambiguous, so refused.
      const both = await app.inject({
        method: 'GET',
        url: '/api/v1/users/me',
        headers: { 'x-api-key': key.key, ...bearer(owner.accessToken) },
      });
      expectProblem(both, 401, '/problems/unauthenticated');
    });

    it('introspects a usable key for other services, and answers 404 unknown-api-key once it is revoked', async () => {
      const user = await signedInUser();
      const { id, key } = (
        await app.inject({
          method: 'POST',
          url: '/api/v1/api-keys',
          headers: bearer(user.accessToken),
          payload: { name: 'ingest', scopes: ['audit:write', 'events:read'] },
        })
      ).json();
      const introspect = (payload: { key: string }) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/api-keys/introspect',
          payload,
          remoteAddress: '10.7.0.1',
        });

      const usable = await introspect({ key });
      expect(usable.statusCode, usable.body).toBe(200);
      expect(usable.json()).toEqual({
        userId: user.id,
        roles: ['analyst'],
        scopes: ['audit:write', 'events:read'],
      });
      expect(usable.headers['cache-control']).toBe('no-store');
      // Its own per-IP bucket, not the global one.
      expect(usable.headers['x-ratelimit-limit']).toBe('600');

      expectProblem(await introspect({ key: 'axi_not-a-real-key' }), 404, '/problems/unknown-api-key');
      const tooLong = expectProblem(
        await introspect({ key: `axi_${'x'.repeat(300)}` }),
        400,
        '/problems/validation-error',
      );
      expect(tooLong.errors?.[0]?.field).toBe('body.key');
      expect(JSON.stringify(tooLong)).not.toContain('xxxx');

      await app.inject({
        method: 'DELETE',
        url: `/api/v1/api-keys/${id}`,
        headers: bearer(user.accessToken),
      });
      const revoked = expectProblem(await introspect({ key }), 404, '/problems/unknown-api-key');
      expect(JSON.stringify(revoked)).not.toContain(key);
    });
  });

  it('documents every accounts route in OpenAPI with a tag and a summary', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const paths = Object.keys(spec.paths);
    for (const path of [
      '/api/v1/auth/register',
      '/api/v1/auth/token',
      '/api/v1/auth/token/2fa',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/users/me',
      '/api/v1/users/me/2fa/enrol',
      '/api/v1/admin/users/{id}',
      '/api/v1/api-keys/{id}',
      '/api/v1/api-keys/introspect',
      '/.well-known/jwks.json',
    ]) {
      expect(paths).toContain(path);
      for (const op of Object.values(spec.paths[path]) as { tags: string[]; summary: string }[]) {
        expect(op.tags[0]).toMatch(/^axi: /);
        expect(op.summary).toEqual(expect.any(String));
      }
    }
  });
});
