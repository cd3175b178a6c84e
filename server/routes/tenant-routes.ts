import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData, sendPage } from '../http/envelope';
import type { TenantService } from '../services/tenant-service';
import { ApiResponseTenant, PaginatedTenantList, TenantCreate, TenantListQuery, TenantUpdate } from '../../shared/schemas/tenant';
import { TenantParams } from '../../shared/schemas/common';


export const tenantRoutes = (tenants: TenantService) => [
  defineRoute({
    method: 'get', path: '/api/v1/tenants', summary: 'List tenants', tags: ['tenants'], access: 'tenants:read',
    description: 'Super admins see every tenant, partner admins their partner\'s, tenant admins their own.',
    query: TenantListQuery,
    responses: { 200: { description: 'A page of tenants', schema: PaginatedTenantList } },
    handler: async (ctx, { query }) => sendPage(ctx, await tenants.list(actorOf(ctx).principal, query)),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/tenants', summary: 'Create a tenant', tags: ['tenants'], access: 'tenants:create',
    body: TenantCreate,
    responses: { 201: { description: 'Created', schema: ApiResponseTenant }, 409: { description: 'Slug taken' } },
    handler: async (ctx, { body }) => sendData(ctx, await tenants.create(actorOf(ctx), body), 201),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/tenants/{tenant_id}', summary: 'Get a tenant', tags: ['tenants'], access: 'tenants:read',
    description: '`tenant_id` is the tenant\'s id or slug.',
    params: TenantParams,
    responses: { 200: { description: 'The tenant', schema: ApiResponseTenant } },
    handler: async (ctx, { params }) => sendData(ctx, await tenants.get(actorOf(ctx).principal, params.tenant_id)),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/tenants/{tenant_id}', summary: 'Update a tenant', tags: ['tenants'], access: 'tenants:update',
    description: 'Only the fields sent change; `settings` sections merge into the current settings.',
    params: TenantParams, body: TenantUpdate,
    responses: { 200: { description: 'Updated', schema: ApiResponseTenant } },
    handler: async (ctx, { params, body }) => sendData(ctx, await tenants.update(actorOf(ctx), params.tenant_id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/tenants/{tenant_id}', summary: 'Delete an empty tenant', tags: ['tenants'], access: 'tenants:delete',
    description: 'Refused (409) while the tenant has live users, and for the `default` tenant.',
    params: TenantParams,
    responses: { 204: { description: 'Deleted' }, 409: { description: 'Not empty, or the default tenant' } },
    handler: async (ctx, { params }) => {
      await tenants.delete(actorOf(ctx), params.tenant_id);
      ctx.status = 204;
    },
  }),
];
