import { useSession } from '../../../shared/auth/session.js';
import { Card, Skeleton } from '../../../shared/ui/card.js';
import { ProfileForm } from '../components/profile-form.js';
import { TwoFactorSection } from '../components/two-factor-section.js';

const roleNames = { admin: 'Administrator', analyst: 'Analyst', viewer: 'Viewer' } as const;

/** `/app/profile`: your details, and two-factor sign-in. */
export function Component() {
  const { user } = useSession();
  if (!user) {
    return (
      <div aria-busy="true" className="space-y-4">
        <Skeleton className="h-8 w-40" />
        <Skeleton className="h-48 w-full" />
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Your profile</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Signed in as <span className="font-medium text-slate-900 dark:text-slate-100">{user.email}</span>
          {' · '}
          {user.roles.map((r) => roleNames[r]).join(', ')}
        </p>
      </div>
      <Card aria-labelledby="profile-details-heading">
        <h2 id="profile-details-heading" className="mb-4 text-lg font-semibold">
          Details
        </h2>
        <ProfileForm user={user} />
      </Card>
      <Card aria-labelledby="two-factor-heading">
        <h2 id="two-factor-heading" className="mb-4 text-lg font-semibold">
          Two-factor sign-in
        </h2>
        <TwoFactorSection user={user} />
      </Card>
    </div>
  );
}
