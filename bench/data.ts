import { v7 as uuidv7 } from 'uuid';
import { searchTextOf } from '../server/services/normalize';

/**
 * Deterministic, realistic-looking users: the same N gives the same people, so a seeded database
 * can be reused, and filters and searches hit the share of rows a real directory would.
 */
const FIRST = ['Ann', 'Bruno', 'Chloé', 'David', 'Elena', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Marta', 'Nils', 'Olga',
  'Pablo', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Xenia', 'Yusuf', 'Zoë', 'Amir', 'Bea', 'Carlos', 'Dana', 'Emil',
  'Fatima', 'Goran', 'Hana', 'Igor', 'Jana', 'Karim', 'Lucía', 'Mehmet', 'Noor', 'Oskar', 'Priya', 'Rafael', 'Sara', 'Tomás', 'Ugo',
  'Vera', 'Walter', 'Yara', 'Zoltan'];
const LAST_STEMS = ['Lee', 'García', 'Müller', 'Nowak', 'Rossi', 'Dubois', 'Silva', 'Kowalski', 'Jensen', 'Novák', 'Horvat', 'Papadopoulos',
  'Yilmaz', 'Ivanova', 'Tanaka', 'Kim', 'Nguyen', 'Okafor', 'Mensah', 'Haddad', 'Cohen', 'Larsen', 'Berg', 'Fischer', 'Weber', 'Moreau',
  'Ferreira', 'Costa', 'Santos', 'Russo', 'Bianchi', 'Svensson', 'Andersen', 'Virtanen', 'Korhonen', 'Popescu', 'Petrov', 'Szabó',
  'Kovač', 'Murphy', 'Walsh', 'Byrne', 'Schmidt', 'Wagner', 'Becker', 'Hoffmann', 'Schulz', 'Koch', 'Richter', 'Klein'];
const LAST_SUFFIX = ['', 'son', 'ová', 'ski', 'ez', 'ini', 'berg', 'feld', 'mann', 'escu'];
const DOMAINS = ['example.com', 'example.org', 'corp.example.net', 'mail.example.io'];

export interface BenchScope {
  tenantId: string;
  ouIds: string[];
  /** Seed clock: created_at of user i is spread over the three years before it. */
  epochMs: number;
}

export interface SeedUser {
  id: string;
  email: string;
  emailNormalized: string;
  username: string;
  firstName: string;
  lastName: string;
  displayName: string;
  ouId: string | null;
  status: string;
  identitySource: string;
  mfaEnabled: boolean;
  role: string;
  createdAt: string;
  lastLoginAt: string | null;
  searchText: string;
}

const THREE_YEARS_MS = 3 * 365 * 24 * 3600 * 1000;

/** A cheap deterministic hash of i, for spreading attributes without a visible stride. */
function mix(i: number, salt: number): number {
  let x = (i + 1) * 0x9e3779b1 + salt * 0x85ebca6b;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** User number i (0-based) of a seeded tenant; `prefix` keeps the emails of different batches apart. */
export function seedUser(scope: BenchScope, i: number, total: number, prefix = 'u'): SeedUser {
  const first = FIRST[mix(i, 1) % FIRST.length];
  const lastName = LAST_STEMS[mix(i, 2) % LAST_STEMS.length] + LAST_SUFFIX[mix(i, 3) % LAST_SUFFIX.length];
  const username = `${prefix}${i}.${first}.${lastName}`.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const email = `${username}@${DOMAINS[mix(i, 4) % DOMAINS.length]}`;
  const createdMs = scope.epochMs - THREE_YEARS_MS + Math.floor((i / Math.max(1, total)) * THREE_YEARS_MS);
  const r = mix(i, 5) % 100;
  const status = r < 88 ? 'ACTIVE' : r < 93 ? 'DISABLED' : r < 96 ? 'PENDING_EMAIL_VERIFICATION' : r < 98 ? 'PENDING_APPROVAL' : 'LOCKED';
  const s = mix(i, 6) % 100;
  const identitySource = s < 80 ? 'LOCAL' : s < 90 ? 'SCIM' : s < 96 ? 'OIDC' : s < 99 ? 'SAML' : 'LDAP';
  const ro = mix(i, 7) % 1000;
  const role = ro < 3 ? 'tenant_admin' : ro < 13 ? 'helpdesk' : ro < 43 ? 'viewer' : 'user';
  const login = mix(i, 8) % 10 < 7 ? new Date(createdMs + (mix(i, 9) % (30 * 24 * 3600)) * 1000).toISOString() : null;
  const displayName = `${first} ${lastName}`;
  const fields = { email, username, firstName: first, lastName, displayName };
  return {
    id: uuidv7({ msecs: createdMs, random: randomBytes16(i, prefix) }),
    email,
    emailNormalized: email.toLowerCase(),
    username,
    firstName: first,
    lastName,
    displayName,
    ouId: scope.ouIds.length ? scope.ouIds[mix(i, 10) % scope.ouIds.length] : null,
    status,
    identitySource,
    mfaEnabled: mix(i, 11) % 100 < 20,
    role,
    createdAt: new Date(createdMs).toISOString(),
    lastLoginAt: login,
    searchText: searchTextOf(fields),
  };
}

function randomBytes16(i: number, prefix: string): Uint8Array {
  const out = new Uint8Array(16);
  const salt = [...prefix].reduce((h, c) => h * 31 + c.charCodeAt(0), 7);
  for (let k = 0; k < 4; k++) {
    const v = mix(i, salt * 8 + k);
    out[k * 4] = v & 0xff;
    out[k * 4 + 1] = (v >>> 8) & 0xff;
    out[k * 4 + 2] = (v >>> 16) & 0xff;
    out[k * 4 + 3] = (v >>> 24) & 0xff;
  }
  return out;
}

/** Search terms with a spread of selectivity: a surname stem, a first name, a rare fragment, an email part. */
export function searchTerms(total: number): string[] {
  const pick = Math.min(total - 1, 123_457);
  return ['kowalski', 'garcia', 'lucia', `u${pick}.`, 'nowakova', 'tanaka'];
}
