import { z } from 'zod';

/**
 * AXI accounts and auth: the request and response shapes shared by the server and the web app.
 * Field rules that need no database (e-mail form, password length, locale, timezone) live here,
 * so the web form and the API reject the same input with the same message.
 */

export const Role = z.enum(['admin', 'analyst', 'viewer']);
export type Role = z.infer<typeof Role>;

export const passwordMinLength = 12;
export const passwordMaxLength = 128;

export const Email = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ message: 'must be an e-mail address' }))
  .transform((v) => v.toLowerCase());

/** The length rule; strength (zxcvbn score >= 3) is checked by the server against the user's inputs. */
export const NewPassword = z
  .string()
  .refine((v) => [...v].length >= passwordMinLength, `must be at least ${passwordMinLength} characters`)
  .refine((v) => [...v].length <= passwordMaxLength, `must be at most ${passwordMaxLength} characters`);

/** A password offered at login: no policy (old accounts), only a bound so hashing stays cheap. */
export const GivenPassword = z.string().min(1, 'is required').max(1024, 'is too long');

export const Locale = z
  .string()
  .min(2)
  .max(35)
  .transform((v, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(v);
      if (canonical) return canonical;
    } catch {}
    ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag such as en-GB or de' });
    return z.NEVER;
  });

export const Timezone = z
  .string()
  .min(1)
  .max(64)
  .transform((v, ctx) => {
    try {
      return new Intl.DateTimeFormat('en', { timeZone: v }).resolvedOptions().timeZone;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Europe/Berlin or UTC' });
      return z.NEVER;
    }
  });

const DisplayName = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const Organisation = z.string().trim().max(200, 'must be at most 200 characters');

export const RegisterBody = z.object({
  email: Email,
  password: NewPassword,
  displayName: DisplayName.optional(),
  organisation: Organisation.optional(),
  locale: Locale.optional(),
  timezone: Timezone.optional(),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({
  email: Email,
  password: GivenPassword,
  includeRefreshToken: z
    .boolean()
    .default(false)
    .describe(
      'Also return the refresh token in the body (non-browser clients). Browsers leave it false and ' +
        'get it only as an httpOnly cookie.',
    ),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const TokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('Seconds until the access token expires'),
  refreshToken: z
    .string()
    .optional()
    .describe('Only when asked for (includeRefreshToken, or a body refresh)'),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const MfaChallenge = z.object({
  mfaRequired: z.literal(true),
  challengeToken: z.string().describe('Send it to POST /auth/token/2fa with a code within 5 minutes'),
});
export type MfaChallenge = z.infer<typeof MfaChallenge>;

export const LoginResponse = z.union([TokenResponse, MfaChallenge]);
export type LoginResponse = z.infer<typeof LoginResponse>;

export const TwoFactorLoginBody = z.object({
  challengeToken: z.string().min(1).max(200),
  code: z
    .string()
    .trim()
    .min(6)
    .max(32)
    .describe('The 6-digit code of the authenticator app, or one unused recovery code'),
});
export type TwoFactorLoginBody = z.infer<typeof TwoFactorLoginBody>;

export const RefreshBody = z
  .object({
    refreshToken: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('For non-browser clients; browsers send the httpOnly cookie instead'),
  })
  // A browser refreshing with its cookie sends no body at all.
  .nullish();
export type RefreshBody = z.infer<typeof RefreshBody>;

export const UserProfile = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  organisation: z.string().nullable(),
  locale: z.string(),
  timezone: z.string(),
  roles: z.array(Role),
  twoFactorEnabled: z.boolean(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type UserProfile = z.infer<typeof UserProfile>;

export const UpdateProfileBody = z
  .object({
    displayName: DisplayName.optional(),
    organisation: Organisation.nullable().optional(),
    locale: Locale.optional(),
    timezone: Timezone.optional(),
  })
  .strict();
export type UpdateProfileBody = z.infer<typeof UpdateProfileBody>;

export const TwoFactorEnrolment = z.object({
  secret: z.string().describe('Base32 secret, for apps that cannot scan the QR code'),
  otpauthUri: z.string(),
  qrCode: z.string().describe('The otpauth URI as a PNG data: URL'),
});
export type TwoFactorEnrolment = z.infer<typeof TwoFactorEnrolment>;

export const TwoFactorCodeBody = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be 6 digits'),
});
export type TwoFactorCodeBody = z.infer<typeof TwoFactorCodeBody>;

export const RecoveryCodes = z.object({
  recoveryCodes: z.array(z.string()).describe('Each works once instead of a code; shown only now'),
});
export type RecoveryCodes = z.infer<typeof RecoveryCodes>;

export const DisableTwoFactorBody = z.object({
  password: GivenPassword,
  code: z.string().trim().min(6).max(32).describe('A current code or an unused recovery code'),
});
export type DisableTwoFactorBody = z.infer<typeof DisableTwoFactorBody>;

export const AdminUser = UserProfile.extend({
  disabled: z.boolean(),
  lockedUntil: z.iso.datetime({ offset: true }).nullable(),
});
export type AdminUser = z.infer<typeof AdminUser>;

export const AdminUserListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  q: z.string().trim().max(254).optional().describe('Part of the e-mail or display name'),
});
export type AdminUserListQuery = z.infer<typeof AdminUserListQuery>;

export const AdminUserList = z.object({
  items: z.array(AdminUser),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type AdminUserList = z.infer<typeof AdminUserList>;

export const UserIdParams = z.object({ id: z.uuid({ message: 'must be a user id' }) });

export const AdminUpdateUserBody = z
  .object({
    roles: z
      .array(Role)
      .min(1, 'a user needs at least one role')
      .refine((r) => new Set(r).size === r.length, 'must not repeat a role')
      .optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.roles !== undefined || b.disabled !== undefined, 'give roles, disabled or both');
export type AdminUpdateUserBody = z.infer<typeof AdminUpdateUserBody>;

/**
 * What an API key may do. Each scope needs a role of the key's owner; the key acts with the
 * least role its scopes need (never admin), and services that care check the scope itself.
 */
export const apiKeyScopes = {
  'datasets:read': 'Read datasets, their rows, summaries and reports',
  'datasets:write': 'Upload and delete datasets',
  'analytics:run': 'Compute correlations and cohorts',
  'events:read': 'Read the event store',
  'audit:write': 'Send audit-log entries',
  'audit:read': 'Read and analyse the audit log',
} as const;
export const ApiKeyScope = z.enum(Object.keys(apiKeyScopes) as [keyof typeof apiKeyScopes]);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

export const CreateApiKeyBody = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100),
  scopes: z
    .array(ApiKeyScope)
    .min(1, 'give at least one scope')
    .refine((s) => new Set(s).size === s.length, 'must not repeat a scope'),
  expiresInDays: z.number().int().min(1).max(3650).optional().describe('Default: never expires'),
});
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const ApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to recognise it'),
  scopes: z.array(ApiKeyScope),
  createdAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
  lastUsedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('The secret; shown only now. Send it as the X-API-Key header.'),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyList = z.object({ items: z.array(ApiKey) });
export type ApiKeyList = z.infer<typeof ApiKeyList>;

export const ApiKeyIdParams = z.object({ id: z.uuid({ message: 'must be an API key id' }) });

/** Longest X-API-Key accepted anywhere; AXI's keys are far shorter. */
export const apiKeyMaxLength = 200;

/** `POST /api/v1/api-keys/introspect`: a service without AXI in its process asks what a key may do. */
export const IntrospectApiKeyBody = z.object({
  key: z.string().min(1).max(apiKeyMaxLength).describe('The X-API-Key value exactly as it was presented'),
});
export type IntrospectApiKeyBody = z.infer<typeof IntrospectApiKeyBody>;

export const ApiKeyIntrospection = z.object({
  userId: z.string().describe("The key's owner: the actor the key acts as"),
  roles: z.array(Role).describe('The least role its scopes need (never admin)'),
  // Plain strings, not the scope enum: a service built before AXI gained a scope still accepts
  // the answer (it just never asks for that scope).
  scopes: z
    .array(z.string())
    .describe("The key's scopes its owner's current roles still allow; see POST /api-keys"),
});
export type ApiKeyIntrospection = z.infer<typeof ApiKeyIntrospection>;

/** The problem code (`type` is `/problems/<code>`) of a key that is unknown, revoked, expired or whose owner is disabled. */
export const unknownApiKeyCode = 'unknown-api-key';

export const PublicJwk = z.looseObject({
  kty: z.string(),
  kid: z.string(),
  alg: z.string(),
  use: z.string(),
});
export const Jwks = z.object({ keys: z.array(PublicJwk) });
export type Jwks = z.infer<typeof Jwks>;
