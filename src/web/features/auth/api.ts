import {
  type DisableTwoFactorBody,
  RecoveryCodes,
  TwoFactorEnrolment,
  type UpdateProfileBody,
  UserProfile,
} from '../../../contracts/axi/auth.js';
import { http, request } from '../../shared/api/http.js';

// Sign-in, sign-up and sign-out live in the session (shared/auth); these are the profile's own calls.
const me = '/api/v1/users/me';

export function updateProfile(body: UpdateProfileBody) {
  return request(UserProfile, { method: 'PATCH', url: me, data: body });
}

/** A new pending TOTP secret; two-factor sign-in stays off until `confirmTwoFactor`. */
export function enrolTwoFactor() {
  return request(TwoFactorEnrolment, { method: 'POST', url: `${me}/2fa/enrol`, data: {} });
}

export function confirmTwoFactor(code: string) {
  return request(RecoveryCodes, { method: 'POST', url: `${me}/2fa/confirm`, data: { code } });
}

export async function disableTwoFactor(body: DisableTwoFactorBody): Promise<void> {
  await http.post(`${me}/2fa/disable`, body);
}
