import { HttpClient, type TokenSource } from './http';
import { authApi } from './auth-api';
import { usersApi } from './users-api';
import { tenantsApi } from './tenants-api';
import { partnersApi } from './partners-api';
import { apiTokensApi } from './api-tokens-api';
import { applicationsApi } from './applications-api';
import { groupsApi } from './groups-api';
import { ousApi } from './ous-api';
import { importsApi } from './imports-api';
import { mergeApi } from './merge-api';
import { auditApi } from './audit-api';
import { statsApi } from './stats-api';
import { exportApi } from './export-api';
import { identitiesApi } from './identities-api';
import { activityApi } from './activity-api';
import { outboxApi } from './outbox-api';
import { adminUsersApi } from './admin-users-api';

export { ApiError, HttpClient, type TokenSource, type Query } from './http';
export type { Data, Page, CursorPage } from './envelopes';
export { followStream, type StreamEvent } from './sse';

/**
 * The typed Roster client the admin app uses everywhere (browser, desktop, tests): one section
 * per resource, each a thin map from a function to a documented route.
 */
export function createRosterClient(tokens: TokenSource, baseUrl = '', fetchImpl?: typeof fetch) {
  const http = new HttpClient(tokens, baseUrl, fetchImpl);
  return {
    http,
    auth: authApi(http),
    users: usersApi(http),
    tenants: tenantsApi(http),
    partners: partnersApi(http),
    apiTokens: apiTokensApi(http),
    applications: applicationsApi(http),
    groups: groupsApi(http),
    ous: ousApi(http),
    imports: importsApi(http),
    merge: mergeApi(http),
    audit: auditApi(http),
    stats: statsApi(http),
    exports: exportApi(http),
    identities: identitiesApi(http),
    activity: activityApi(http),
    outbox: outboxApi(http),
    adminUsers: adminUsersApi(http),
  };
}

export type RosterClient = ReturnType<typeof createRosterClient>;
