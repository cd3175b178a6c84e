import type { User } from '../../../../../shared/client/users-api';
import type { Role } from '../../../../../shared/schemas/user';

/** The profile fields edited in place, as text inputs hold them ('' for none). */
export const TEXT_FIELDS = ['first_name', 'last_name', 'display_name', 'email', 'username', 'phone', 'job_title', 'company', 'locale', 'timezone'] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

export type ProfileValues = Record<TextField, string> & { ou_id: string | null; role: Role };

/** Required on the server: sending '' for these would be a 422, so '' means "unchanged" is not allowed either. */
const REQUIRED: readonly TextField[] = ['email', 'locale', 'timezone'];

export function profileValues(user: User): ProfileValues {
  const values = Object.fromEntries(TEXT_FIELDS.map((f) => [f, (user[f] as string | null) ?? ''])) as Record<TextField, string>;
  return { ...values, ou_id: user.ou_id, role: user.role };
}

/** Only what changed, with cleared optional fields sent as null: the PATCH body. */
export function profileChanges(user: User, values: ProfileValues): Record<string, string | null> {
  const before = profileValues(user);
  const body: Record<string, string | null> = {};
  for (const field of TEXT_FIELDS) {
    const value = values[field].trim();
    if (value === before[field].trim()) continue;
    body[field] = value === '' && !REQUIRED.includes(field) ? null : value;
  }
  if (values.ou_id !== before.ou_id) body.ou_id = values.ou_id;
  if (values.role !== before.role) body.role = values.role;
  return body;
}
