import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData, sendPage } from '../http/envelope';
import type { PartnerService } from '../services/partner-service';
import { ApiResponsePartner, PaginatedPartnerList, PartnerCreate, PartnerListQuery, PartnerUpdate } from '../../shared/schemas/partner';

const Params = z.object({ partner_id: z.string().min(1).max(64) });
const tags = ['partners'];

export const partnerRoutes = (partners: PartnerService) => [
  defineRoute({
    method: 'get', path: '/api/v1/partners', summary: 'List partners', tags, access: 'partners:read',
    description: 'Super admins see every partner; a partner admin sees its own.',
    query: PartnerListQuery,
    responses: { 200: { description: 'A page of partners', schema: PaginatedPartnerList } },
    handler: async (ctx, { query }) => sendPage(ctx, await partners.list(actorOf(ctx).principal, query)),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/partners', summary: 'Create a partner', tags, access: 'partners:write',
    body: PartnerCreate,
    responses: { 201: { description: 'Created', schema: ApiResponsePartner }, 409: { description: 'Slug taken' } },
    handler: async (ctx, { body }) => sendData(ctx, await partners.create(actorOf(ctx), body), 201),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/partners/{partner_id}', summary: 'Get a partner', tags, access: 'partners:read',
    params: Params,
    responses: { 200: { description: 'The partner', schema: ApiResponsePartner } },
    handler: async (ctx, { params }) => sendData(ctx, await partners.get(actorOf(ctx).principal, params.partner_id)),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/partners/{partner_id}', summary: 'Update a partner', tags, access: 'partners:write',
    params: Params, body: PartnerUpdate,
    responses: { 200: { description: 'Updated', schema: ApiResponsePartner } },
    handler: async (ctx, { params, body }) => sendData(ctx, await partners.update(actorOf(ctx), params.partner_id, body)),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/partners/{partner_id}', summary: 'Delete a partner without tenants', tags, access: 'partners:write',
    params: Params,
    responses: { 204: { description: 'Deleted' }, 409: { description: 'The partner still owns tenants' } },
    handler: async (ctx, { params }) => {
      await partners.delete(actorOf(ctx), params.partner_id);
      ctx.status = 204;
    },
  }),
];
