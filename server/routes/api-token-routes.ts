import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData, sendPage } from '../http/envelope';
import type { ApiTokenService } from '../services/api-token-service';
import { ApiResponseApiToken, ApiTokenCreate, ApiTokenListQuery, PaginatedApiTokenList } from '../../shared/schemas/api-token';
import { TenantParams } from '../../shared/schemas/common';

const TokenParams = TenantParams.extend({ token_id: z.string().min(1).max(64) });
const base = '/api/v1/tenants/{tenant_id}/api-tokens';
const tags = ['api tokens'];

export const apiTokenRoutes = (tokens: ApiTokenService) => [
  defineRoute({
    method: 'get', path: base, summary: 'List API tokens', tags, access: 'api_tokens:read',
    params: TenantParams, query: ApiTokenListQuery,
    responses: { 200: { description: 'A page of tokens (never their secrets)', schema: PaginatedApiTokenList } },
    handler: async (ctx, { params, query }) => sendPage(ctx, await tokens.list(actorOf(ctx), params.tenant_id, query)),
  }),
  defineRoute({
    method: 'post', path: base, summary: 'Create an API token', tags, access: 'api_tokens:write',
    description: 'The `token` is in this answer only; send it as `Authorization: Bearer rst_…`. Scope `scim` is what SCIM clients need.',
    params: TenantParams, body: ApiTokenCreate,
    responses: { 201: { description: 'Created, with `token`', schema: ApiResponseApiToken } },
    handler: async (ctx, { params, body }) => sendData(ctx, await tokens.create(actorOf(ctx), params.tenant_id, body), 201),
  }),
  defineRoute({
    method: 'get', path: `${base}/{token_id}`, summary: 'Get an API token', tags, access: 'api_tokens:read',
    params: TokenParams,
    responses: { 200: { description: 'The token (never its secret)', schema: ApiResponseApiToken } },
    handler: async (ctx, { params }) => sendData(ctx, await tokens.get(actorOf(ctx), params.tenant_id, params.token_id)),
  }),
  defineRoute({
    method: 'delete', path: `${base}/{token_id}`, summary: 'Revoke an API token', tags, access: 'api_tokens:write',
    description: 'It stops working at once; it stays listed (with `include_revoked=true`) for the record.',
    params: TokenParams,
    responses: { 204: { description: 'Revoked' }, 409: { description: 'Already revoked' } },
    handler: async (ctx, { params }) => {
      await tokens.revoke(actorOf(ctx), params.tenant_id, params.token_id);
      ctx.status = 204;
    },
  }),
];
