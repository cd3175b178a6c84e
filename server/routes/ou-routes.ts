import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData, sendPage } from '../http/envelope';
import type { OuService } from '../services/ou-service';
import { ApiResponseOu, OuCreate, OuDeleteQuery, OuListQuery, OuUpdate, PaginatedOuList } from '../../shared/schemas/ou';
import { TenantParams } from '../../shared/schemas/common';

const OuParams = TenantParams.extend({ ou_id: z.string().min(1).max(64) });
const base = '/api/v1/tenants/{tenant_id}/ous';
const tags = ['organisational units'];

export const ouRoutes = (ous: OuService) => [
  defineRoute({
    method: 'get', path: base, summary: 'List organisational units', tags, access: 'ous:read',
    description: 'Sorted by `path` by default, which lists the tree depth-first.',
    params: TenantParams, query: OuListQuery,
    responses: { 200: { description: 'A page of units', schema: PaginatedOuList } },
    handler: async (ctx, { params, query }) => sendPage(ctx, await ous.list(actorOf(ctx), params.tenant_id, query)),
  }),
  defineRoute({
    method: 'post', path: base, summary: 'Create an organisational unit', tags, access: 'ous:write',
    params: TenantParams, body: OuCreate,
    responses: { 201: { description: 'Created', schema: ApiResponseOu }, 409: { description: 'A sibling has this name' } },
    handler: async (ctx, { params, body }) => sendData(ctx, await ous.create(actorOf(ctx), params.tenant_id, body), 201),
  }),
  defineRoute({
    method: 'get', path: `${base}/{ou_id}`, summary: 'Get an organisational unit', tags, access: 'ous:read',
    params: OuParams,
    responses: { 200: { description: 'The unit', schema: ApiResponseOu } },
    handler: async (ctx, { params }) => sendData(ctx, await ous.get(actorOf(ctx), params.tenant_id, params.ou_id)),
  }),
  defineRoute({
    method: 'patch', path: `${base}/{ou_id}`, summary: 'Rename or move an organisational unit', tags, access: 'ous:write',
    description: 'A new `parent_id` moves the unit with everything below it; every path below is rewritten in one transaction. Moving a unit under itself is a 409.',
    params: OuParams, body: OuUpdate,
    responses: { 200: { description: 'Updated', schema: ApiResponseOu }, 409: { description: 'Cycle or name taken' } },
    handler: async (ctx, { params, body }) => sendData(ctx, await ous.update(actorOf(ctx), params.tenant_id, params.ou_id, body)),
  }),
  defineRoute({
    method: 'delete', path: `${base}/{ou_id}`, summary: 'Delete an organisational unit', tags, access: 'ous:write',
    description: 'Refused (409) while the unit holds units or users, unless `cascade` says what happens to them: `reparent` moves them to the parent, `subtree` deletes every unit below and leaves their users unassigned. Users are never deleted.',
    params: OuParams, query: OuDeleteQuery,
    responses: { 204: { description: 'Deleted' }, 409: { description: 'Not empty' } },
    handler: async (ctx, { params, query }) => {
      await ous.delete(actorOf(ctx), params.tenant_id, params.ou_id, query.cascade);
      ctx.status = 204;
    },
  }),
];
