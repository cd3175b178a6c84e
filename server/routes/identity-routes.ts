import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData, sendPage } from '../http/envelope';
import type { IdentityService } from '../services/identity-service';
import {
  ApiResponseIdentityProvider, ApiResponseUserIdentity, IdentityProviderCreate, IdentityProviderListQuery, IdentityProviderUpdate,
  PaginatedIdentityProviderList, UserIdentityCreate, UserIdentityList,
} from '../../shared/schemas/identity';
import { TenantParams } from '../../shared/schemas/common';

const ProviderParams = TenantParams.extend({ provider_id: z.string().min(1).max(64) });
const UserParams = TenantParams.extend({ user_id: z.string().min(1).max(64) });
const IdentityParams = UserParams.extend({ identity_id: z.string().min(1).max(64) });
const providers = '/api/v1/tenants/{tenant_id}/identity-providers';
const identities = '/api/v1/tenants/{tenant_id}/users/{user_id}/identities';

export const identityRoutes = (service: IdentityService) => [
  defineRoute({
    method: 'get', path: providers, summary: 'List identity providers', tags: ['identity providers'], access: 'identity_providers:read',
    params: TenantParams, query: IdentityProviderListQuery,
    responses: { 200: { description: 'A page of providers', schema: PaginatedIdentityProviderList } },
    handler: async (ctx, { params, query }) => sendPage(ctx, await service.listProviders(actorOf(ctx), params.tenant_id, query)),
  }),
  defineRoute({
    method: 'post', path: providers, summary: 'Add an identity provider', tags: ['identity providers'], access: 'identity_providers:write',
    description: '`alias` names the provider in seed 003\'s `oauth_provider` filter.',
    params: TenantParams, body: IdentityProviderCreate,
    responses: { 201: { description: 'Created', schema: ApiResponseIdentityProvider }, 409: { description: 'Alias taken' } },
    handler: async (ctx, { params, body }) => sendData(ctx, await service.createProvider(actorOf(ctx), params.tenant_id, body), 201),
  }),
  defineRoute({
    method: 'get', path: `${providers}/{provider_id}`, summary: 'Get an identity provider', tags: ['identity providers'], access: 'identity_providers:read',
    params: ProviderParams,
    responses: { 200: { description: 'The provider', schema: ApiResponseIdentityProvider } },
    handler: async (ctx, { params }) => sendData(ctx, await service.getProvider(actorOf(ctx), params.tenant_id, params.provider_id)),
  }),
  defineRoute({
    method: 'patch', path: `${providers}/{provider_id}`, summary: 'Update an identity provider', tags: ['identity providers'], access: 'identity_providers:write',
    params: ProviderParams, body: IdentityProviderUpdate,
    responses: { 200: { description: 'Updated', schema: ApiResponseIdentityProvider } },
    handler: async (ctx, { params, body }) => sendData(ctx, await service.updateProvider(actorOf(ctx), params.tenant_id, params.provider_id, body)),
  }),
  defineRoute({
    method: 'delete', path: `${providers}/{provider_id}`, summary: 'Delete an identity provider', tags: ['identity providers'], access: 'identity_providers:write',
    description: 'Removes the links of its users to it; the users stay.',
    params: ProviderParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      await service.deleteProvider(actorOf(ctx), params.tenant_id, params.provider_id);
      ctx.status = 204;
    },
  }),
  defineRoute({
    method: 'get', path: identities, summary: 'List a user\'s federated identities', tags: ['tenant directory'], access: 'identities:read',
    params: UserParams,
    responses: { 200: { description: 'The identities', schema: UserIdentityList } },
    handler: async (ctx, { params }) => sendData(ctx, await service.listIdentities(actorOf(ctx), params.tenant_id, params.user_id)),
  }),
  defineRoute({
    method: 'post', path: identities, summary: 'Link a federated identity', tags: ['tenant directory'], access: 'identities:write',
    description: 'A provider\'s subject links to one user only (409 otherwise).',
    params: UserParams, body: UserIdentityCreate,
    responses: { 201: { description: 'Linked', schema: ApiResponseUserIdentity }, 409: { description: 'Subject already linked' } },
    handler: async (ctx, { params, body }) => sendData(ctx, await service.link(actorOf(ctx), params.tenant_id, params.user_id, body), 201),
  }),
  defineRoute({
    method: 'delete', path: `${identities}/{identity_id}`, summary: 'Unlink a federated identity', tags: ['tenant directory'], access: 'identities:write',
    params: IdentityParams,
    responses: { 204: { description: 'Unlinked' } },
    handler: async (ctx, { params }) => {
      await service.unlink(actorOf(ctx), params.tenant_id, params.user_id, params.identity_id);
      ctx.status = 204;
    },
  }),
];
