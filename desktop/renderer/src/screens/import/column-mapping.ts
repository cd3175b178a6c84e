import type { z } from 'zod';
import type { UserCreate } from '../../../../../shared/schemas/user';
import type { CsvPreview } from './csv-preview';

/** The columns an import row can fill (UserCreate's, in CSV terms: groups by name, OU by path). */
export const IMPORT_FIELDS = [
  'email', 'username', 'first_name', 'last_name', 'display_name', 'phone', 'company', 'job_title', 'locale', 'timezone',
  'groups', 'ou_path', 'role', 'identity_source', 'password', 'password_hash', 'email_verified', 'require_password_change',
  'send_welcome_email', 'is_internal', 'is_onboarded', 'avatar_url',
] as const satisfies readonly (keyof z.input<typeof UserCreate> | 'groups' | 'ou_path' | 'password_hash')[];
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** What a column becomes: a field, a custom attribute, or nothing. */
export type ColumnTarget = { kind: 'field'; field: ImportField } | { kind: 'custom'; name: string } | { kind: 'ignore' };

const SYNONYMS: Record<string, ImportField> = {
  email: 'email', emailaddress: 'email', mail: 'email', useremail: 'email', primaryemail: 'email',
  username: 'username', user: 'username', login: 'username', loginname: 'username', userid: 'username', samaccountname: 'username', userprincipalname: 'username',
  firstname: 'first_name', givenname: 'first_name', forename: 'first_name', first: 'first_name',
  lastname: 'last_name', surname: 'last_name', familyname: 'last_name', last: 'last_name',
  displayname: 'display_name', fullname: 'display_name', name: 'display_name',
  phone: 'phone', phonenumber: 'phone', telephone: 'phone', tel: 'phone', mobile: 'phone', mobilephone: 'phone',
  company: 'company', organisation: 'company', organization: 'company', employer: 'company',
  jobtitle: 'job_title', title: 'job_title', position: 'job_title',
  locale: 'locale', language: 'locale', lang: 'locale',
  timezone: 'timezone', tz: 'timezone', zoneinfo: 'timezone',
  groups: 'groups', group: 'groups', memberof: 'groups',
  oupath: 'ou_path', ou: 'ou_path', orgunit: 'ou_path', organisationalunit: 'ou_path', organizationalunit: 'ou_path',
  role: 'role', identitysource: 'identity_source',
  password: 'password', passwordhash: 'password_hash', hash: 'password_hash',
  emailverified: 'email_verified', verified: 'email_verified', requirepasswordchange: 'require_password_change',
  sendwelcomeemail: 'send_welcome_email', welcome: 'send_welcome_email', isinternal: 'is_internal', internal: 'is_internal',
  isonboarded: 'is_onboarded', onboarded: 'is_onboarded', avatarurl: 'avatar_url', avatar: 'avatar_url', photo: 'avatar_url', picture: 'avatar_url',
};

const squash = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');

/** A column's target guessed from its header: a field or a synonym of one, `custom.x`, else ignored. */
export function autoMatch(header: string): ColumnTarget {
  const trimmed = header.trim();
  const custom = /^custom[._:](.+)$/i.exec(trimmed);
  if (custom) return { kind: 'custom', name: custom[1].trim() };
  const field = SYNONYMS[squash(trimmed)];
  return field ? { kind: 'field', field } : { kind: 'ignore' };
}

/** Auto-matches a whole header, each field at most once (the first column wins). */
export function autoMatchAll(header: string[]): ColumnTarget[] {
  const taken = new Set<string>();
  return header.map((h) => {
    const target = autoMatch(h);
    const key = targetKey(target);
    if (key === null) return target;
    if (taken.has(key)) return { kind: 'ignore' };
    taken.add(key);
    return target;
  });
}

/** The server's column name for a target; null for an ignored column. */
export function targetKey(t: ColumnTarget): string | null {
  if (t.kind === 'field') return t.field;
  if (t.kind === 'custom') return `custom.${t.name.trim()}`;
  return null;
}

const CUSTOM_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** What is wrong with a mapping, per column index, plus problems of the whole ('email' missing). */
export function validateMapping(targets: ColumnTarget[]): { columns: Record<number, string>; overall: string[] } {
  const columns: Record<number, string> = {};
  const overall: string[] = [];
  const firstAt = new Map<string, number>();
  targets.forEach((t, i) => {
    if (t.kind === 'custom' && !CUSTOM_NAME.test(t.name.trim())) {
      columns[i] = 'A custom attribute needs a name of letters, digits, _ . or - (up to 100)';
      return;
    }
    const key = targetKey(t);
    if (key === null) return;
    const first = firstAt.get(key);
    if (first !== undefined) columns[i] = `Column ${first + 1} is already mapped to ${key}`;
    else firstAt.set(key, i);
  });
  if (!firstAt.has('email')) overall.push('Map one column to email: every user needs an address.');
  if (firstAt.has('password') && firstAt.has('password_hash')) overall.push('Map either password or password_hash, not both.');
  return { columns, overall };
}

/** One CSV cell, quoted when it has to be. */
const cell = (value: string) => (/[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The header row the server will read: each column renamed to its target; ignored columns blank. */
export const headerLine = (targets: ColumnTarget[], lineEnd: string) => targets.map((t) => cell(targetKey(t) ?? '')).join(',') + lineEnd;

/**
 * The file to upload: the rewritten header, then the original bytes after the old header. Blob
 * slices reference the file, so nothing of a large file is read into memory here.
 */
export function rewrittenUpload(file: Blob, preview: CsvPreview, targets: ColumnTarget[]): Blob {
  return new Blob([headerLine(targets, preview.lineEnd), file.slice(preview.headerBytes)], { type: 'text/csv' });
}
