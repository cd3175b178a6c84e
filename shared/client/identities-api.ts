import type { z } from 'zod';
import type { HttpClient } from './http';
import type { Data } from './envelopes';
import type { UserIdentityResponse } from '../schemas/identity';

export type UserIdentity = z.output<typeof UserIdentityResponse>;

/** A user's federated identities (accounts at OIDC, SAML or LDAP providers). */
export const identitiesApi = (http: HttpClient) => ({
  forUser: (tenantId: string, userId: string) =>
    http
      .get<Data<UserIdentity[]>>(`/api/v1/tenants/${encodeURIComponent(tenantId)}/users/${encodeURIComponent(userId)}/identities`)
      .then((r) => r.data),
});
