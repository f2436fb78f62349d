import { useMutation } from '@tanstack/react-query';
import type { DisableTwoFactorBody, UpdateProfileBody } from '../../../contracts/axi/auth.js';
import { useSession } from '../../shared/auth/session.js';
import { confirmTwoFactor, disableTwoFactor, enrolTwoFactor, updateProfile } from './api.js';

/**
 * The signed-in user is the session's state (useSession().user), not a query: every change
 * here ends with reloadUser(), so the header, the guards and this page agree at once. The
 * reload is not awaited: a failed reload must not turn a change that happened (and, for 2FA,
 * recovery codes shown only once) into an error.
 */
function useReloadUser() {
  const { reloadUser } = useSession();
  return () => {
    reloadUser().catch(() => undefined);
  };
}

export function useUpdateProfile() {
  const reloadUser = useReloadUser();
  return useMutation({
    mutationFn: (body: UpdateProfileBody) => updateProfile(body),
    onSuccess: () => reloadUser(),
  });
}

export function useEnrolTwoFactor() {
  return useMutation({ mutationFn: enrolTwoFactor });
}

export function useConfirmTwoFactor() {
  const reloadUser = useReloadUser();
  return useMutation({
    mutationFn: (code: string) => confirmTwoFactor(code),
    onSuccess: () => reloadUser(),
  });
}

export function useDisableTwoFactor() {
  const reloadUser = useReloadUser();
  return useMutation({
    mutationFn: (body: DisableTwoFactorBody) => disableTwoFactor(body),
    onSuccess: () => reloadUser(),
  });
}
