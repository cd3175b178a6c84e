import type { MERGEABLE_FIELDS } from '../../../../../shared/schemas/merge';
import type { UserResponse } from '../../../../../shared/schemas/user';

export type MergeField = (typeof MERGEABLE_FIELDS)[number];
export type Side = 'source' | 'target';
export type Choices = Partial<Record<MergeField, Side>>;

/** The profile fields a merge chooses between, in the order a person reads a profile. */
export const MERGE_FIELDS: { field: MergeField; label: string }[] = [
  { field: 'first_name', label: 'First name' },
  { field: 'last_name', label: 'Last name' },
  { field: 'display_name', label: 'Display name' },
  { field: 'phone', label: 'Phone' },
  { field: 'company', label: 'Company' },
  { field: 'job_title', label: 'Job title' },
  { field: 'ou_id', label: 'Organisational unit' },
  { field: 'locale', label: 'Locale' },
  { field: 'timezone', label: 'Time zone' },
  { field: 'avatar_url', label: 'Avatar URL' },
];

export const labelOf = (field: string) => MERGE_FIELDS.find((f) => f.field === field)?.label ?? field;

/** What a person sees for a field (the OU by its path, not its id). */
export function shownValue(user: UserResponse, field: MergeField): string | null {
  if (field === 'ou_id') return user.ou_path ?? user.ou_id ?? null;
  const value = user[field];
  return value === null || value === undefined || value === '' ? null : String(value);
}

/**
 * The value that ends up on the target, by the server's rule: the chosen side wins, and a side
 * with no value gives way to the other.
 */
export function outcome(source: UserResponse, target: UserResponse, field: MergeField, side: Side): string | null {
  const [winner, other] = side === 'target' ? [target, source] : [source, target];
  return shownValue(winner, field) ?? shownValue(other, field);
}

/** Where the sides differ and the source has something, that is a real choice to make. */
export const isChoice = (source: UserResponse, target: UserResponse, field: MergeField) =>
  shownValue(source, field) !== null && shownValue(source, field) !== shownValue(target, field);
