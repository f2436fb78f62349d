import QRCode from 'qrcode';
import type {
  DisableTwoFactorBody,
  RecoveryCodes,
  TwoFactorEnrolment,
} from '../../../../../contracts/axi/auth.js';
import type { Db } from '../../../../platform/db/database.js';
import { ValidationFailed } from '../../../../platform/http/errors.js';
import type { RequestContext } from '../../../../platform/http/request-context.js';
import { Conflict } from '../accounts.errors.js';
import { verifyPassword } from '../auth/passwords.js';
import { loadCallingUser } from '../users/user-views.js';
import { replaceRecoveryCodes, updateUser } from '../users/users.repository.js';
import {
  hashRecoveryCode,
  matchingStep,
  newRecoveryCodes,
  newTotpSecret,
  totpFor,
  verifySecondFactor,
} from './second-factor.js';

/** TOTP second factor: enrol, confirm with a first code (which yields recovery codes), disable. */
export function createTwoFactorService({ db, clock }: { db: Db; clock: () => Date }) {
  return {
    async enrol(ctx: RequestContext): Promise<TwoFactorEnrolment> {
      const user = await loadCallingUser(db, ctx, { session: true });
      if (user.totpEnabled) throw new Conflict('Two-factor sign-in is already on; disable it first.');
      // Pending until confirmed: a half-finished enrolment never locks anyone out.
      const secret = newTotpSecret();
      await updateUser(db, user.id, { totpPendingSecret: secret, updatedAt: clock() });
      const otpauthUri = totpFor(secret, user.email).toString();
      return {
        secret,
        otpauthUri,
        qrCode: await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M' }),
      };
    },

    async confirm(ctx: RequestContext, code: string): Promise<RecoveryCodes> {
      const user = await loadCallingUser(db, ctx, { session: true });
      if (user.totpEnabled) throw new Conflict('Two-factor sign-in is already on.');
      if (!user.totpPendingSecret) throw new Conflict('Start with POST /users/me/2fa/enrol.');
      const step = matchingStep(user.totpPendingSecret, code, clock());
      if (step === undefined) {
        throw new ValidationFailed(
          [{ field: 'body.code', message: 'is wrong or expired' }],
          'The code is wrong.',
        );
      }
      const recoveryCodes = newRecoveryCodes();
      await db.transaction().execute(async (tx) => {
        await updateUser(tx, user.id, {
          totpSecret: user.totpPendingSecret,
          totpPendingSecret: null,
          totpEnabled: true,
          totpLastStep: String(step),
          updatedAt: clock(),
        });
        await replaceRecoveryCodes(tx, user.id, recoveryCodes.map(hashRecoveryCode));
      });
      ctx.log.info({ userId: user.id }, 'two-factor sign-in enabled');
      return { recoveryCodes };
    },

    async disable(ctx: RequestContext, input: DisableTwoFactorBody): Promise<void> {
      const user = await loadCallingUser(db, ctx, { session: true });
      if (!user.totpEnabled) throw new Conflict('Two-factor sign-in is not on.');
      if (!(await verifyPassword(user.passwordHash, input.password))) {
        throw new ValidationFailed(
          [{ field: 'body.password', message: 'is wrong' }],
          'The password is wrong.',
        );
      }
      if (!(await verifySecondFactor(db, user, input.code, clock()))) {
        throw new ValidationFailed(
          [{ field: 'body.code', message: 'is wrong, expired or already used' }],
          'The code is wrong.',
        );
      }
      await db.transaction().execute(async (tx) => {
        await updateUser(tx, user.id, {
          totpSecret: null,
          totpPendingSecret: null,
          totpEnabled: false,
          totpLastStep: null,
          updatedAt: clock(),
        });
        await replaceRecoveryCodes(tx, user.id, []);
      });
      ctx.log.info({ userId: user.id }, 'two-factor sign-in disabled');
    },
  };
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
