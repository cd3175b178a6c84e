import { seedUser, searchTerms, type BenchScope } from './data';
import type { HttpScenario } from './load';
import type { SeedInfo } from './seed';

/** What a scenario must reach to meet the issue's target at a million users. */
export type Target = { kind: 'rpsOfKoa'; share: number } | { kind: 'p99Under'; ms: number };

export interface BenchScenario extends HttpScenario {
  target?: Target;
}

export interface ScenarioContext {
  info: SeedInfo;
  /** Bearer header of the tenant's admin. */
  auth: string;
  /** Bearer header of an API token with the scim scope. */
  scimAuth: string;
  /** The `next_cursor` of a page half-way down the tenant: the deep page is the one after it. */
  deepCursor: string;
  deepPage: number;
}

let counter = 0;

/** The HTTP scenarios of the table, in its order. */
export function scenarios(ctx: ScenarioContext): BenchScenario[] {
  const { info } = ctx;
  const scope: BenchScope = { tenantId: info.tenantId, ouIds: info.ouIds, epochMs: info.epochMs };
  const n = info.users;
  const randomUser = () => seedUser(scope, Math.floor(Math.random() * n), n);
  const users = `/api/v1/tenants/${info.tenantId}/users`;
  const headers = { authorization: ctx.auth };
  const list = (name: string, query: string | (() => string), target: Target = { kind: 'p99Under', ms: 50 }): BenchScenario => ({
    name, headers, target, path: typeof query === 'string' ? `${users}?${query}` : () => `${users}?${query()}`,
  });
  const terms = searchTerms(n);
  const since = new Date(info.epochMs - 30 * 24 * 3600 * 1000).toISOString();
  return [
    { name: 'get user by id', headers, path: () => `${users}/${randomUser().id}`, target: { kind: 'rpsOfKoa', share: 0.4 } },
    list('list page 1 with total_items', 'per_page=20'),
    list(`deep page by cursor (page ${ctx.deepPage.toLocaleString('en')})`, `per_page=20&cursor=${encodeURIComponent(ctx.deepCursor)}`),
    list('filter status=DISABLED', 'status=DISABLED'),
    list('filter is_active=true', 'is_active=true'),
    list('filter role=helpdesk', 'role=helpdesk'),
    list('filter identity_source=SCIM', 'identity_source=SCIM'),
    list('filter mfa_enabled=true', 'mfa_enabled=true'),
    list('filter ou_id', `ou_id=${info.ouIds[1]}`),
    list('filter ou_id + include_descendants', `ou_id=${info.parentOuId}&include_descendants=true`),
    list('filter group_id (nested)', `group_id=${info.groupId}`),
    list('filter email', () => `email=${encodeURIComponent(randomUser().email)}`),
    list('filter oauth_provider', `oauth_provider=${info.providerAlias}`),
    list('filter oauth_id', () => `oauth_provider=${info.providerAlias}&oauth_id=sub-${Math.floor(Math.random() * n)}`),
    list('filter created_after', `created_after=${encodeURIComponent(since)}`),
    list('free-text search', () => `search=${encodeURIComponent(terms[Math.floor(Math.random() * terms.length)])}`, { kind: 'p99Under', ms: 30 }),
    {
      name: 'SCIM userName eq', headers: { authorization: ctx.scimAuth }, target: { kind: 'p99Under', ms: 10 },
      path: () => `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${randomUser().username}"`)}`,
    },
    {
      name: 'PATCH user', method: 'PATCH', headers, path: () => `${users}/${randomUser().id}`,
      body: () => ({ job_title: `Engineer ${++counter}` }),
    },
    {
      name: 'create user', method: 'POST', headers, path: users, expectStatus: 201,
      body: () => {
        const k = `${process.pid}-${++counter}`;
        return { email: `new-${k}@bench.example.com`, first_name: 'New', last_name: `Person ${k}`, send_welcome_email: false };
      },
    },
  ];
}
