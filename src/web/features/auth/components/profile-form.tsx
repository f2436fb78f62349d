import { type FormEvent, useMemo, useState } from 'react';
import { UpdateProfileBody, type UserProfile } from '../../../../contracts/axi/auth.js';
import { Button } from '../../../shared/ui/button.js';
import { SelectField, TextField } from '../../../shared/ui/text-field.js';
import { useToast } from '../../../shared/ui/toasts.js';
import { apiFieldErrors, describeError, type FieldErrors, issuesToFieldErrors } from '../form-errors.js';
import { useUpdateProfile } from '../hooks.js';
import { FormMessage } from './auth-layout.js';

const labels = {
  displayName: 'Display name',
  organisation: 'Organisation',
  locale: 'Language',
  timezone: 'Time zone',
} as const;
type Field = keyof typeof labels;

const suggestedLocales = [
  'en',
  'en-GB',
  'en-US',
  'de',
  'de-DE',
  'fr',
  'fr-FR',
  'es',
  'it',
  'nl',
  'pt-BR',
  'ja',
];

/** Every IANA zone the browser knows, plus UTC (which some engines leave out) and the current one. */
function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', current, ...known])].sort((a, b) =>
    a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b),
  );
}

/** Display name, organisation, language and time zone; field errors under their fields. */
export function ProfileForm({ user }: { user: UserProfile }) {
  const toast = useToast();
  const update = useUpdateProfile();
  const [values, setValues] = useState({
    displayName: user.displayName,
    organisation: user.organisation ?? '',
    locale: user.locale,
    timezone: user.timezone,
  });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [error, setError] = useState<string | undefined>();
  const zones = useMemo(() => timeZones(user.timezone), [user.timezone]);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const set = (field: Field) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: e.target.value }));
    if (fieldErrors[field]) setFieldErrors((f) => ({ ...f, [field]: undefined }));
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const parsed = UpdateProfileBody.safeParse({
      displayName: values.displayName,
      organisation: values.organisation.trim() ? values.organisation : null,
      locale: values.locale.trim(),
      timezone: values.timezone,
    });
    if (!parsed.success) {
      setFieldErrors(issuesToFieldErrors(parsed.error, labels));
      return;
    }
    setFieldErrors({});
    try {
      const saved = await update.mutateAsync(parsed.data);
      // Show what the server kept (it canonicalises tags like `en-gb` to `en-GB`).
      setValues({
        displayName: saved.displayName,
        organisation: saved.organisation ?? '',
        locale: saved.locale,
        timezone: saved.timezone,
      });
      toast('success', 'Profile saved.');
    } catch (err) {
      const fields = apiFieldErrors(err, labels);
      setFieldErrors(fields);
      if (Object.keys(fields).length === 0) setError(describeError(err));
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {error && <FormMessage tone="error">{error}</FormMessage>}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label={labels.displayName}
          name="displayName"
          autoComplete="name"
          value={values.displayName}
          error={fieldErrors.displayName}
          onChange={set('displayName')}
        />
        <TextField
          label={`${labels.organisation} (optional)`}
          name="organisation"
          autoComplete="organization"
          value={values.organisation}
          error={fieldErrors.organisation}
          onChange={set('organisation')}
        />
        <TextField
          label={labels.locale}
          name="locale"
          list="profile-locale-suggestions"
          autoCapitalize="none"
          spellCheck={false}
          value={values.locale}
          error={fieldErrors.locale}
          hint="A language tag such as en-GB, de or fr-FR."
          onChange={set('locale')}
        />
        <datalist id="profile-locale-suggestions">
          {suggestedLocales.map((l) => (
            <option key={l} value={l} />
          ))}
        </datalist>
        <SelectField
          label={labels.timezone}
          name="timezone"
          value={values.timezone}
          error={fieldErrors.timezone}
          hint={
            browserZone && browserZone !== values.timezone ? `This device is on ${browserZone}.` : undefined
          }
          onChange={set('timezone')}
        >
          {zones.map((z) => (
            <option key={z} value={z}>
              {z.replaceAll('_', ' ')}
            </option>
          ))}
        </SelectField>
      </div>
      <Button type="submit" disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save profile'}
      </Button>
    </form>
  );
}
