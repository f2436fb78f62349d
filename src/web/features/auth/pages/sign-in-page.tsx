import { type FormEvent, type RefObject, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../../shared/api/http.js';
import { useSession } from '../../../shared/auth/session.js';
import { Button } from '../../../shared/ui/button.js';
import { TextField } from '../../../shared/ui/text-field.js';
import { AuthLayout, FormMessage, linkClass } from '../components/auth-layout.js';
import { describeError } from '../form-errors.js';
import { safeRedirectTarget } from '../safe-redirect.js';

type Step = { kind: 'password' } | { kind: 'code'; challengeToken: string };

/** The server answers the same for an unknown e-mail, a wrong password and a locked account. */
function signInError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'The e-mail or password is wrong.';
    if (error.status === 429) {
      return `Too many sign-in attempts. ${error.problem?.detail ?? 'Wait a minute, then try again.'}`;
    }
  }
  return describeError(error);
}

function codeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401 && error.problem?.type === '/problems/invalid-two-factor-code') {
      return 'That code is wrong, expired or already used. Try the newest code from your app.';
    }
    if (error.status === 429) {
      return `Too many attempts. ${error.problem?.detail ?? 'Wait a minute, then try again.'}`;
    }
  }
  return describeError(error);
}

function focusIn(box: RefObject<HTMLDivElement | null>) {
  box.current?.querySelector('input')?.focus();
}

/** `/app/sign-in`: e-mail and password, then the authenticator code when two-factor sign-in is on. */
export function Component() {
  const { user, signIn, completeTwoFactor } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const target = safeRedirectTarget(params.get('from'));
  const expired = params.get('expired') === '1';

  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [useRecoveryCode, setUseRecoveryCode] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // TextField keeps its input to itself; wrappers let the form move focus where it helps.
  const codeBox = useRef<HTMLDivElement>(null);
  const passwordBox = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (step.kind === 'code') focusIn(codeBox);
  }, [step.kind]);

  // Signed in already (or just now): straight on to where they were going.
  if (user) return <Navigate to={target} replace />;

  async function submitPassword(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    if (!email.trim() || !password) {
      setError('Enter your e-mail and password.');
      return;
    }
    setBusy(true);
    try {
      const result = await signIn(email.trim(), password);
      if (result.status === 'mfa-required') {
        setStep({ kind: 'code', challengeToken: result.challengeToken });
        setCode('');
      } else {
        navigate(target, { replace: true });
      }
    } catch (err) {
      setError(signInError(err));
      setPassword('');
      focusIn(passwordBox);
    } finally {
      setBusy(false);
    }
  }

  async function submitCode(e: FormEvent) {
    e.preventDefault();
    if (step.kind !== 'code') return;
    setError(undefined);
    const trimmed = code.trim();
    if (useRecoveryCode ? trimmed.length < 6 : !/^\d{6}$/.test(trimmed)) {
      setError(
        useRecoveryCode ? 'Enter one of your recovery codes.' : 'Enter the 6-digit code from your app.',
      );
      return;
    }
    setBusy(true);
    try {
      await completeTwoFactor(step.challengeToken, trimmed);
      navigate(target, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.problem?.type === '/problems/invalid-challenge') {
        // The challenge lasts 5 minutes and allows a few wrong codes; after that, start over.
        setStep({ kind: 'password' });
        setPassword('');
        setError('This sign-in took too long or had too many wrong codes. Enter your password again.');
      } else {
        setError(codeError(err));
        setCode('');
        focusIn(codeBox);
      }
    } finally {
      setBusy(false);
    }
  }

  const signUpLink = `/app/sign-up${params.get('from') ? `?from=${encodeURIComponent(target)}` : ''}`;

  if (step.kind === 'code') {
    return (
      <AuthLayout
        title="Two-factor sign-in"
        intro={
          useRecoveryCode
            ? 'Enter one of the recovery codes you saved when you turned on two-factor sign-in. Each works once.'
            : 'Enter the 6-digit code your authenticator app shows for NEXUS.'
        }
      >
        <form onSubmit={submitCode} noValidate className="space-y-4">
          {error && <FormMessage tone="error">{error}</FormMessage>}
          <div ref={codeBox}>
            {useRecoveryCode ? (
              <TextField
                key="recovery"
                label="Recovery code"
                name="code"
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                placeholder="xxxx-xxxx-xxxx-xxxx"
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            ) : (
              <TextField
                key="totp"
                label="Authentication code"
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]*"
                maxLength={6}
                placeholder="123456"
                value={code}
                onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              />
            )}
          </div>
          <Button type="submit" className="w-full" disabled={busy}>
            {busy ? 'Checking…' : 'Verify and sign in'}
          </Button>
          <div className="flex flex-wrap justify-between gap-2 text-sm">
            <button
              type="button"
              className={linkClass}
              onClick={() => {
                setUseRecoveryCode((v) => !v);
                setCode('');
                setError(undefined);
                // The input is replaced (key); focus the new one once it is there.
                setTimeout(() => focusIn(codeBox));
              }}
            >
              {useRecoveryCode ? 'Use the authenticator code' : 'Use a recovery code instead'}
            </button>
            <button
              type="button"
              className={linkClass}
              onClick={() => {
                setStep({ kind: 'password' });
                setPassword('');
                setError(undefined);
              }}
            >
              Start over
            </button>
          </div>
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Sign in"
      intro="Welcome back to the NEXUS analytics hub."
      footer={
        <>
          New here?{' '}
          <Link to={signUpLink} className={linkClass}>
            Create an account
          </Link>
        </>
      }
    >
      <form onSubmit={submitPassword} noValidate className="space-y-4">
        {expired && !error && <FormMessage tone="info">Your session expired; sign in again.</FormMessage>}
        {error && <FormMessage tone="error">{error}</FormMessage>}
        <TextField
          label="E-mail"
          name="email"
          type="email"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <div ref={passwordBox}>
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </AuthLayout>
  );
}
