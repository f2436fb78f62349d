import { type FormEvent, useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { RegisterBody } from '../../../../contracts/axi/auth.js';
import { useSession } from '../../../shared/auth/session.js';
import { Button } from '../../../shared/ui/button.js';
import { TextField } from '../../../shared/ui/text-field.js';
import { AuthLayout, FormMessage, linkClass } from '../components/auth-layout.js';
import { apiFieldErrors, describeError, type FieldErrors, issuesToFieldErrors } from '../form-errors.js';
import { passwordHint } from '../password-hint.js';
import { safeRedirectTarget } from '../safe-redirect.js';

const labels = { email: 'E-mail', displayName: 'Display name', password: 'Password' } as const;
type Field = keyof typeof labels;

/** `/app/sign-up`: create an account, then straight into the hub signed in. */
export function Component() {
  const { user, register } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const target = safeRedirectTarget(params.get('from'));
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  if (user) return <Navigate to={target} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const parsed = RegisterBody.safeParse({
      email,
      password,
      ...(displayName.trim() ? { displayName } : {}),
    });
    if (!parsed.success) {
      setFieldErrors(issuesToFieldErrors(parsed.error, labels));
      return;
    }
    setFieldErrors({});
    setBusy(true);
    try {
      await register(parsed.data);
      navigate(target, { replace: true });
    } catch (err) {
      const fields = apiFieldErrors(err, labels);
      setFieldErrors(fields);
      if (Object.keys(fields).length === 0) setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title="Create your account"
      intro="Upload CSV files and explore them with NEXUS."
      footer={
        <>
          Already have an account?{' '}
          <Link
            to={`/app/sign-in${params.get('from') ? `?from=${encodeURIComponent(target)}` : ''}`}
            className={linkClass}
          >
            Sign in
          </Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="space-y-4">
        {error && <FormMessage tone="error">{error}</FormMessage>}
        <TextField
          label="E-mail"
          name="email"
          type="email"
          autoComplete="email"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={email}
          error={fieldErrors.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label="Display name (optional)"
          name="displayName"
          autoComplete="name"
          value={displayName}
          error={fieldErrors.displayName}
          hint="How NEXUS greets you. Defaults to the first part of your e-mail."
          onChange={(e) => setDisplayName(e.target.value)}
        />
        <div>
          <TextField
            label="Password"
            name="password"
            type={showPassword ? 'text' : 'password'}
            autoComplete="new-password"
            required
            value={password}
            error={fieldErrors.password}
            hint={passwordHint(password)}
            onChange={(e) => {
              setPassword(e.target.value);
              // The old verdict was about the old password.
              if (fieldErrors.password) setFieldErrors((f) => ({ ...f, password: undefined }));
            }}
          />
          <label className="mt-2 flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={showPassword}
              onChange={(e) => setShowPassword(e.target.checked)}
              className="h-4 w-4 rounded border-slate-400 accent-indigo-600"
            />
            Show password
          </label>
        </div>
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </Button>
      </form>
    </AuthLayout>
  );
}
