import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app';
import { parseScimFilter } from '../../server/scim/filter-parser';
import { applyScimFilter } from '../../server/scim/filter-to-sql';
import { ScimError } from '../../server/scim/scim-error';

/**
 * SCIM filters against a real users table, on whichever engine the suite runs on: each filter
 * must select exactly the expected users of one tenant and nothing of another tenant.
 */

interface Seed {
  username?: string;
  email: string;
  first?: string;
  last?: string;
  display?: string;
  title?: string;
  phone?: string;
  company?: string;
  status?: string;
  locale?: string;
  timezone?: string;
  created: string;
  updated?: string;
  custom?: Record<string, unknown>;
  /** SCIM attributes without a column (users.scim_attributes). */
  scim?: Record<string, unknown>;
}

const SEEDS: Record<string, Seed> = {
  alice: { username: 'Alice.Smith', email: 'Alice.Smith@Example.com', first: 'Alice', last: 'Smith', display: 'Alice Smith', title: 'Engineer',
    phone: '+1 555 0100', company: 'Acme', created: '2026-01-01T00:00:00.000Z', updated: '2026-02-01T00:00:00.000Z',
    custom: { costCode: 'CC-1', remote: true, level: 1 },
    scim: { userType: 'Employee', nickName: 'Al', enterprise: { department: 'R&D', costCenter: '4130', manager: { value: 'boss-1' } } } },
  bob: { username: 'bob', email: 'bob@example.org', first: 'Bob', last: 'Jones', title: 'Senior Engineer', company: 'Globex', status: 'DISABLED',
    locale: 'fr', timezone: 'Europe/Paris', created: '2026-01-02T12:00:00.000Z', updated: '2026-02-02T00:00:00.000Z',
    custom: { costCode: 'cc-20', level: 3 }, scim: { userType: 'Contractor', enterprise: { department: 'Sales' } } },
  carol: { username: 'carol', email: 'carol@corp.example.net', first: 'Carol', last: "O'Malley", display: "Carol O'Malley", company: 'acme',
    locale: 'en-GB', created: '2026-01-03T00:00:00.000Z', custom: { remote: false, level: 2.5, 'cost code': 'x' },
    scim: { userType: 'employee', name: { middleName: 'Ann' } } },
  dave: { email: 'dave@example.com', first: 'Dave', last: 'smith', display: '', title: '', status: 'LOCKED', created: '2026-01-04T00:00:00.000Z', custom: { costCode: '', remote: null } },
  eve: { username: 'EVE', email: 'eve+test@example.com', first: 'Eve', last: 'Müller', title: 'Manager', phone: '+49 30 1234', status: 'PENDING_APPROVAL',
    created: '2026-01-05T00:00:00.000Z', custom: { level: '7', costCode: ['CC-1'] }, scim: { userType: 'Intern' } },
  frank: { username: 'frank%50', email: 'frank@example.com', title: '100% Manager', company: 'Initech', created: '2026-01-06T00:00:00.000Z' },
  grace: { username: 'grace_1', email: 'grace@example.com', created: '2026-01-07T00:00:00.000Z' },
  gracex: { username: 'gracex1', email: 'gracex1@example.com', created: '2026-01-08T00:00:00.000Z' },
  heidi: { username: 'heidi\\x', email: 'heidi@example.com', created: '2026-01-09T00:00:00.000Z' },
  ivan: { username: 'ivan', email: 'IVAN@EXAMPLE.COM', first: 'Ivan', created: '2026-01-10T23:59:59.999Z' },
  judy: { username: 'judy', email: 'judy@example.org', status: 'DISABLED', created: '2026-01-11T00:00:00.000Z', updated: '2026-03-01T10:00:00.000Z' },
  mallory: { username: 'mallory', email: 'mallory@evil.test', locale: 'de', timezone: 'Europe/Berlin', created: '2026-01-12T00:00:00.000Z' },
  niaj: { username: 'niaj', email: 'niaj@example.com', first: 'Niaj', last: 'Smithson', created: '2026-01-13T00:00:00.000Z' },
  olivia: { username: 'olivia', email: 'olivia@example.net', display: 'Olivia', title: 'engineer', created: '2026-01-14T00:00:00.000Z' },
  peggy: { username: 'peggy', email: 'peggy@example.com', phone: '555-0199', created: '2026-01-15T00:00:00.000Z' },
  trent: { username: 'trent', email: 'trent@EXAMPLE.com', company: 'ACME Corp', status: 'DISABLED', created: '2026-01-16T00:00:00.000Z' },
  victor: { username: 'victor', email: 'victor@example.com', created: '2026-01-17T00:00:00.000Z' },
  walter: { username: 'walter', email: 'walter@example.org', locale: 'en-US', created: '2026-01-18T00:00:00.000Z' },
};

const ALL = Object.keys(SEEDS);
const except = (...names: string[]) => ALL.filter((n) => !names.includes(n));
const INACTIVE = ['bob', 'dave', 'eve', 'judy', 'trent'];
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ROSTER = 'urn:ietf:params:scim:schemas:extension:roster:2.0:User';

const CASES: [string, string[]][] = [
  // userName: caseExact=false, through the normalised column.
  ['userName eq "alice.smith"', ['alice']],
  ['USERNAME Eq "ALICE.SMITH"', ['alice']],
  ['userName eq "eve"', ['eve']],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "GRACE"', ['grace', 'gracex']],
  ['userName co "e_1"', ['grace']],
  ['userName co "%"', ['frank']],
  ['userName co "\\\\"', ['heidi']],
  ['userName ew "Y"', ['judy', 'mallory', 'peggy']],
  ['userName gt "t"', ['trent', 'victor', 'walter']],
  ['userName pr', except('dave')],
  ['not (userName pr)', ['dave']],
  ['userName eq null', ['dave']],
  ['userName ne null', except('dave')],
  ['userName ne "bob"', except('bob')],
  // emails: the single work address.
  ['emails eq "ALICE.SMITH@example.COM"', ['alice']],
  ['emails co ""', ALL],
  ['emails.value ew "@example.org"', ['bob', 'judy', 'walter']],
  ['emails[type eq "work" and value co "@EXAMPLE.com"]',
    ['alice', 'dave', 'eve', 'frank', 'grace', 'gracex', 'heidi', 'ivan', 'niaj', 'peggy', 'trent', 'victor']],
  ['emails[type eq "home"]', []],
  ['emails[not (type eq "home")]', ALL],
  ['emails[type eq "work"].value sw "g"', ['grace', 'gracex']],
  ['emails[primary eq true] and userName sw "a"', ['alice']],
  ['emails.type eq "WORK"', ALL],
  ['emails pr', ALL],
  // name, displayName, title: lower() on both sides.
  ['name.familyName eq "SMITH"', ['alice', 'dave']],
  ['name.familyName sw "smith"', ['alice', 'dave', 'niaj']],
  [`name.familyName co "'mal"`, ['carol']],
  ['name.givenName pr', ['alice', 'bob', 'carol', 'dave', 'eve', 'ivan', 'niaj']],
  ['name.givenName lt "C"', ['alice', 'bob']],
  ['displayName pr', ['alice', 'carol', 'olivia']],
  [`name.formatted co "o'malley"`, ['carol']],
  ['title eq "engineer"', ['alice', 'olivia']],
  ['title co "ENGINEER"', ['alice', 'bob', 'olivia']],
  ['title co "100%"', ['frank']],
  ['title pr', ['alice', 'bob', 'eve', 'frank', 'olivia']],
  ['title eq ""', ['dave']],
  ['title ne "engineer"', except('alice', 'olivia')],
  ['locale eq "EN-gb"', ['carol']],
  ['locale sw "en"', except('bob', 'mallory')],
  ['timezone co "europe/"', ['bob', 'mallory']],
  ['phoneNumbers.value co "555"', ['alice', 'peggy']],
  ['phoneNumbers pr', ['alice', 'eve', 'peggy']],
  [`${ENT}:organization eq "acme"`, ['alice', 'carol']],
  [`${ENT.toLowerCase()}:ORGANIZATION sw "ACME"`, ['alice', 'carol', 'trent']],
  // Custom attributes: keys of the JSON column, compared by the JSON type of the stored value.
  [`${ROSTER}:costCode eq "CC-1"`, ['alice']],
  [`${ROSTER}:costCode eq "cc-1"`, ['alice']],
  [`${ROSTER}:costCode sw "CC"`, ['alice', 'bob']],
  [`${ROSTER}:costCode co "-2"`, ['bob']],
  [`${ROSTER}:costCode gt "cc-1"`, ['bob']],
  [`${ROSTER}:costCode ne "cc-1"`, except('alice')],
  [`${ROSTER}:costCode pr`, ['alice', 'bob', 'eve']],
  [`not (${ROSTER}:costCode pr)`, except('alice', 'bob', 'eve')],
  [`${ROSTER}:costCode eq null`, except('alice', 'bob', 'eve')],
  [`${ROSTER}:level eq 3`, ['bob']],
  [`${ROSTER}:level ge 2.5`, ['bob', 'carol']],
  [`${ROSTER}:level lt 3`, ['alice', 'carol']],
  [`${ROSTER}:level eq "7"`, ['eve']],
  [`${ROSTER}:level gt 5`, []],
  [`${ROSTER}:remote eq true`, ['alice']],
  [`${ROSTER}:remote eq false`, ['carol']],
  [`${ROSTER}:remote pr`, ['alice', 'carol']],
  [`${ROSTER.toLowerCase()}:remote ne true`, except('alice')],
  [`${ROSTER}:costcode pr`, []],
  [`${ROSTER}:nothing pr or ${ROSTER}:level eq 1`, ['alice']],
  // SCIM attributes without a column, in users.scim_attributes; the RFC's own examples (§3.4.2.2).
  ['title pr and userType eq "Employee"', ['alice']],
  ['title pr or userType eq "Intern"', ['alice', 'bob', 'eve', 'frank', 'olivia']],
  ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', ['alice']],
  ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', ['mallory', 'olivia']],
  ['userType eq "Employee" and (emails.type eq "work")', ['alice', 'carol']],
  ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', ['alice']],
  ['nickName co "A"', ['alice']],
  ['name.middleName pr', ['carol']],
  [`${ENT}:department eq "r&d"`, ['alice']],
  [`${ENT}:department pr`, ['alice', 'bob']],
  [`${ENT}:costCenter sw "41"`, ['alice']],
  [`${ENT}:manager eq "boss-1"`, ['alice']],
  [`${ENT}:manager.value eq "BOSS-1"`, ['alice']],
  // active is status = 'ACTIVE'.
  ['active eq true', except(...INACTIVE)],
  ['active eq false', INACTIVE],
  ['active ne true', INACTIVE],
  ['not (active eq true)', INACTIVE],
  ['active pr', ALL],
  // Dates compare as instants, whatever offset the literal has.
  ['meta.created gt "2026-01-10T00:00:00Z"', ['ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'trent', 'victor', 'walter']],
  ['meta.created ge "2026-01-10T23:59:59.999Z"', ['ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'trent', 'victor', 'walter']],
  ['meta.created gt "2026-01-10T23:59:59.999Z"', ['judy', 'mallory', 'niaj', 'olivia', 'peggy', 'trent', 'victor', 'walter']],
  ['meta.created eq "2026-01-11T02:00:00+02:00"', ['judy']],
  ['meta.created ne "2026-01-11T00:00:00Z"', except('judy')],
  ['meta.created lt "2026-01-03"', ['alice', 'bob']],
  ['meta.created le "2026-01-03T00:00:00.000Z"', ['alice', 'bob', 'carol']],
  ['meta.lastModified ge "2026-03-01T00:00:00Z"', ['judy']],
  ['meta.lastModified lt "2026-01-02T00:00:00Z"', []],
  ['meta.created gt "2026-01-05T00:00:00Z" and meta.created lt "2026-01-08T00:00:00Z"', ['frank', 'grace']],
  ['meta.created pr', ALL],
  ['meta.resourceType eq "User"', ALL],
  ['meta.resourceType eq "user"', []],
  // Logic, precedence and grouping; or-groups must stay inside the tenant.
  ['userName eq "bob" or userName eq "alice.smith"', ['alice', 'bob']],
  ['active eq true and userName sw "b" or userName sw "j"', ['judy']],
  ['active eq true and (userName sw "b" or userName sw "j")', []],
  ['userName sw "j" or userName sw "b" and active eq true', ['judy']],
  ['not (active eq true) and not (emails co "example.org")', ['dave', 'eve', 'trent']],
  ['(userName eq "bob" or userName eq "carol") and (active eq true)', ['carol']],
  ['not (userName sw "a" or userName sw "b" or not (userName sw "c"))', ['carol']],
  ['not (not (title pr))', ['alice', 'bob', 'eve', 'frank', 'olivia']],
];

let app: TestApp;
let tenantId: string;
const ids: Record<string, string> = {};
const names: Record<string, string> = {};

async function insertTenant(slug: string) {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await app.roster.db.knex('tenants').insert({ id, name: `Tenant ${slug}`, slug, status: 'ACTIVE', createdAt: now, updatedAt: now });
  return id;
}

function userRow(tenant: string, s: Seed) {
  const email = s.email;
  return {
    id: crypto.randomUUID(),
    tenantId: tenant,
    email,
    emailNormalized: email.toLowerCase(),
    username: s.username ?? null,
    usernameNormalized: s.username?.toLowerCase() ?? null,
    firstName: s.first ?? null,
    lastName: s.last ?? null,
    displayName: s.display ?? null,
    jobTitle: s.title ?? null,
    phone: s.phone ?? null,
    company: s.company ?? null,
    status: s.status ?? 'ACTIVE',
    locale: s.locale ?? 'en',
    timezone: s.timezone ?? 'UTC',
    createdAt: s.created,
    updatedAt: s.updated ?? s.created,
    searchText: [email, s.username, s.first, s.last].filter(Boolean).join(' ').toLowerCase(),
    customAttributes: JSON.stringify(s.custom ?? {}),
    scimAttributes: s.scim ? JSON.stringify(s.scim) : null,
  };
}

beforeAll(async () => {
  app = await createTestApp();
  const knex = app.roster.db.knex;
  tenantId = await insertTenant(`scim-${crypto.randomUUID().slice(0, 8)}`);
  for (const [name, seed] of Object.entries(SEEDS)) {
    const row = userRow(tenantId, seed);
    await knex('users').insert(row);
    ids[name] = row.id;
    names[row.id] = name;
  }
  // Look-alikes in another tenant: a filter must never reach them.
  const other = await insertTenant(`scim-other-${crypto.randomUUID().slice(0, 8)}`);
  await knex('users').insert(userRow(other, { ...SEEDS.alice }));
  await knex('users').insert(userRow(other, { ...SEEDS.bob, status: 'ACTIVE' }));
  await knex('users').insert(userRow(other, { ...SEEDS.judy }));
});

afterAll(async () => {
  await app?.close();
});

async function select(filter: string): Promise<string[]> {
  const qb = app.roster.db.knex('users').select('users.id').where('users.tenant_id', tenantId);
  applyScimFilter(qb, parseScimFilter(filter), app.roster.db.dialect);
  const rows: { id: string }[] = await qb;
  return rows.map((r) => names[r.id] ?? `foreign:${r.id}`).sort();
}

function rejects(filter: string): ScimError {
  const qb = app.roster.db.knex('users').where('users.tenant_id', tenantId);
  try {
    applyScimFilter(qb, parseScimFilter(filter), app.roster.db.dialect);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    const err = e as ScimError;
    expect([err.status, err.code, err.scimType]).toEqual([400, 'invalid_request', 'invalidFilter']);
    return err;
  }
  throw new Error(`expected ${filter} to be rejected`);
}

describe('SCIM filter to SQL', () => {
  it('seeds the directory', () => {
    expect(Object.keys(ids)).toHaveLength(ALL.length);
  });

  it.each(CASES)('%s', async (filter, expected) => {
    expect(await select(filter)).toEqual([...expected].sort());
  });

  it('matches ids case-exactly and never hands PostgreSQL a malformed uuid', async () => {
    const id = ids.alice;
    expect(await select(`id eq "${id}"`)).toEqual(['alice']);
    expect(await select(`id eq "${id.toUpperCase()}"`)).toEqual([]);
    expect(await select('id eq "not-a-uuid"')).toEqual([]);
    expect(await select('id ne "not-a-uuid"')).toEqual([...ALL].sort());
    expect(await select(`id sw "${id.slice(0, 13)}"`)).toEqual(['alice']);
    expect(await select(`id sw "${id.slice(0, 13).toUpperCase()}"`)).toEqual(/[a-f]/.test(id.slice(0, 13)) ? [] : ['alice']);
    expect(await select(`id ew "${id.slice(-12)}" or id eq "${ids.bob}"`)).toEqual(['alice', 'bob']);
    expect(await select('id pr')).toEqual([...ALL].sort());
  });

  it('binds every value; none is written into the SQL', () => {
    const evil = `x' OR 1=1 --`;
    const qb = app.roster.db.knex('users').where('users.tenant_id', tenantId);
    applyScimFilter(qb, parseScimFilter(`userName eq "${evil}" or title co "${evil}" or meta.created gt "2026-01-01T00:00:00Z"`), app.roster.db.dialect);
    const { sql, bindings } = qb.toSQL();
    expect(sql).not.toContain('1=1');
    expect(sql).not.toContain('2026');
    expect(bindings).toEqual([tenantId, evil.toLowerCase(), `%${evil.toLowerCase()}%`, '2026-01-01T00:00:00.000Z']);
  });

  it('binds injection attempts harmlessly', async () => {
    expect(await select(`userName eq "x' OR '1'='1"`)).toEqual([]);
    expect(await select(`title co "') OR ('a' LIKE 'a"`)).toEqual([]);
  });

  it.each([
    ['foo eq "x"', /Unknown filter attribute "foo"/],
    ['name.nickname eq "x"', /Unknown filter attribute "name.nickname"/],
    ['profileUrl eq "x"', /"profileUrl" is not supported/],
    ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', /"schemas" is not supported/],
    [`${ENT}:location eq "Sales"`, /location" is not supported/],
    ['urn:example:params:custom:flavour eq "x"', /Unknown schema "urn:example:params:custom"/],
    ['ims[type eq "xmpp"]', /"ims" is not a complex attribute|"ims.type" is not supported/],
    ['userName[value eq "x"]', /"userName" is not a complex attribute/],
    ['emails[display eq "x"]', /"emails.display" is not supported/],
    ['phoneNumbers[type eq "work"]', /"phoneNumbers.type" is not supported/],
    ['userName eq 1', /"userName" is a string/],
    ['userName gt null', /"gt" cannot compare "userName" with null/],
    ['active eq "true"', /"active" is a boolean/],
    ['active gt true', /"gt" is not supported on the boolean "active"/],
    ['emails[primary eq "yes"]', /"emails.primary" is a boolean/],
    ['meta.created co "2026"', /"co" is not supported on the dateTime "meta.created"/],
    ['meta.created gt "yesterday"', /"meta.created" is a dateTime/],
    ['meta.created gt "2026-01-01T00:00:00"', /"meta.created" is a dateTime/],
    ['meta.created gt "2026-13-45T00:00:00Z"', /"meta.created" is a dateTime/],
    ['meta.created gt 20260101', /"meta.created" is a dateTime/],
    ['userName pr and (title pr or photos eq "x")', /"photos" is not supported/],
    [`${ROSTER}:costCode co 5`, /"co" needs a string/],
    [`${ROSTER}:remote gt true`, /"gt" is not supported on the boolean value/],
    [`${ROSTER}:costCode.part eq "x"`, /custom attributes have no sub-attributes/],
    [`${ROSTER}:tags[value eq "x"]`, /not a complex attribute/],
  ])('rejects %s before any SQL runs', (filter, message) => {
    expect(rejects(filter).message).toMatch(message);
  });
});
