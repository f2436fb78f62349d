import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { TwoFactorEnrolment, UserProfile } from '../../../../contracts/axi/auth.js';
import { Button } from '../../../shared/ui/button.js';
import { TextField } from '../../../shared/ui/text-field.js';
import { useToast } from '../../../shared/ui/toasts.js';
import { apiFieldErrors, describeError } from '../form-errors.js';
import { useConfirmTwoFactor, useDisableTwoFactor, useEnrolTwoFactor } from '../hooks.js';
import { FormMessage } from './auth-layout.js';
import { CopyButton } from './copy-button.js';

type Phase =
  | { kind: 'idle' }
  | { kind: 'enrolling'; enrolment: TwoFactorEnrolment }
  | { kind: 'codes'; codes: string[] };

/**
 * Two-factor sign-in: off -> enrol (QR code + secret) -> confirm with a first code -> the
 * recovery codes, shown once -> on; on -> disable with password and a code.
 */
export function TwoFactorSection({ user }: { user: UserProfile }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const enrol = useEnrolTwoFactor();
  const [error, setError] = useState<string | undefined>();

  if (phase.kind === 'codes')
    return <RecoveryCodesPanel codes={phase.codes} onDone={() => setPhase({ kind: 'idle' })} />;
  if (phase.kind === 'enrolling') {
    return (
      <EnrolmentPanel
        enrolment={phase.enrolment}
        onCancel={() => setPhase({ kind: 'idle' })}
        onConfirmed={(codes) => setPhase({ kind: 'codes', codes })}
      />
    );
  }
  if (user.twoFactorEnabled) return <DisablePanel />;

  return (
    <div className="space-y-3">
      <p className="text-sm">
        <StatusBadge on={false} /> Add a second step to signing in: a 6-digit code from an authenticator app
        (Google Authenticator, 1Password, Aegis...) on your phone.
      </p>
      {error && <FormMessage tone="error">{error}</FormMessage>}
      <Button
        disabled={enrol.isPending}
        onClick={async () => {
          setError(undefined);
          try {
            setPhase({ kind: 'enrolling', enrolment: await enrol.mutateAsync() });
          } catch (err) {
            setError(describeError(err));
          }
        }}
      >
        {enrol.isPending ? 'Preparing…' : 'Set up two-factor sign-in'}
      </Button>
    </div>
  );
}

function StatusBadge({ on }: { on: boolean }) {
  return (
    <span
      className={`mr-1 inline-block rounded-full px-2 py-0.5 text-xs font-semibold ${
        on
          ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100'
          : 'bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100'
      }`}
    >
      {on ? 'On' : 'Off'}
    </span>
  );
}

function EnrolmentPanel({
  enrolment,
  onCancel,
  onConfirmed,
}: {
  enrolment: TwoFactorEnrolment;
  onCancel: () => void;
  onConfirmed: (codes: string[]) => void;
}) {
  const confirm = useConfirmTwoFactor();
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  // The secret in groups of four is easier to type into an app by hand.
  const groupedSecret = enrolment.secret.match(/.{1,4}/g)?.join(' ') ?? enrolment.secret;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    if (!/^\d{6}$/.test(code.trim())) {
      setCodeError('Code must be the 6 digits your app shows');
      return;
    }
    setCodeError(undefined);
    try {
      const { recoveryCodes } = await confirm.mutateAsync(code.trim());
      onConfirmed(recoveryCodes);
    } catch (err) {
      const fields = apiFieldErrors(err, { code: 'Code' });
      setCodeError(fields.code);
      if (!fields.code) setError(describeError(err));
      setCode('');
    }
  }

  return (
    <div className="space-y-4">
      <ol className="list-decimal space-y-1 pl-5 text-sm">
        <li>Open your authenticator app and add an account.</li>
        <li>Scan this QR code, or type the key below if you cannot scan.</li>
        <li>Enter the 6-digit code the app then shows, to prove it works.</li>
      </ol>
      <div className="flex flex-col items-start gap-4 sm:flex-row">
        <img
          src={enrolment.qrCode}
          alt="QR code to add NEXUS to your authenticator app"
          width={176}
          height={176}
          className="rounded-md border border-slate-200 bg-white p-2 dark:border-slate-700"
        />
        <div className="min-w-0 space-y-2">
          <p className="text-sm font-medium">Setup key (for manual entry)</p>
          <code className="block rounded-md bg-slate-100 px-3 py-2 font-mono text-sm break-all dark:bg-slate-800">
            {groupedSecret}
          </code>
          <p className="text-xs text-slate-600 dark:text-slate-400">
            Time-based, 6 digits, every 30 seconds.
          </p>
          <CopyButton text={enrolment.secret} label="Copy key" copiedMessage="Setup key copied." />
        </div>
      </div>
      <form onSubmit={submit} noValidate className="space-y-3">
        {error && <FormMessage tone="error">{error}</FormMessage>}
        <TextField
          label="Code from your app"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]*"
          maxLength={6}
          className="max-w-48"
          value={code}
          error={codeError}
          onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
        />
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={confirm.isPending}>
            {confirm.isPending ? 'Checking…' : 'Turn on two-factor sign-in'}
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </div>
  );
}

function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="space-y-4">
      <div
        role="alert"
        className="rounded-md border border-amber-400 bg-amber-50 p-4 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
      >
        <h3 ref={heading} tabIndex={-1} className="font-semibold">
          Two-factor sign-in is on. Save your recovery codes now.
        </h3>
        <p className="mt-1 text-sm">
          If you lose your phone, each of these codes signs you in once instead of the app's code. They are
          shown only this time: store them somewhere safe, such as a password manager.
        </p>
      </div>
      <ul
        aria-label="Recovery codes"
        className="grid grid-cols-1 gap-2 rounded-md bg-slate-100 p-4 font-mono text-sm sm:grid-cols-2 dark:bg-slate-800"
      >
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        <CopyButton text={codes.join('\n')} label="Copy codes" copiedMessage="Recovery codes copied." />
        <Button onClick={onDone}>I have saved them</Button>
      </div>
    </div>
  );
}

function DisablePanel() {
  const toast = useToast();
  const disable = useDisableTwoFactor();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{
    password?: string | undefined;
    code?: string | undefined;
  }>({});
  const [error, setError] = useState<string | undefined>();
  const labels = { password: 'Password', code: 'Code' };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const missing = {
      password: password ? undefined : 'Password is required',
      code: code.trim().length >= 6 ? undefined : 'Code must be a 6-digit code or a recovery code',
    };
    if (missing.password || missing.code) {
      setFieldErrors(missing);
      return;
    }
    setFieldErrors({});
    try {
      await disable.mutateAsync({ password, code: code.trim() });
      toast('success', 'Two-factor sign-in is off.');
    } catch (err) {
      const fields = apiFieldErrors(err, labels);
      setFieldErrors(fields);
      if (!fields.password && !fields.code) setError(describeError(err));
    }
  }

  return (
    <div className="space-y-3">
      <p className="text-sm">
        <StatusBadge on /> Signing in asks for a code from your authenticator app.
      </p>
      <form onSubmit={submit} noValidate className="space-y-3" aria-labelledby="disable-2fa-heading">
        <h3 id="disable-2fa-heading" className="font-medium">
          Turn two-factor sign-in off
        </h3>
        {error && <FormMessage tone="error">{error}</FormMessage>}
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Your password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            error={fieldErrors.password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <TextField
            label="Code or recovery code"
            name="code"
            autoComplete="one-time-code"
            autoCapitalize="none"
            spellCheck={false}
            value={code}
            error={fieldErrors.code}
            onChange={(e) => setCode(e.target.value)}
          />
        </div>
        <Button type="submit" variant="danger" disabled={disable.isPending}>
          {disable.isPending ? 'Turning off…' : 'Turn off two-factor sign-in'}
        </Button>
      </form>
    </div>
  );
}
