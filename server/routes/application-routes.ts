import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData, sendPage } from '../http/envelope';
import type { ApplicationService } from '../services/application-service';
import {
  ApiResponseApplication, ApplicationCreate, ApplicationListQuery, ApplicationUpdate, AssignmentsAdd, PaginatedApplicationList,
  PaginatedAssignments, PaginatedEffectiveUsers,
} from '../../shared/schemas/application';
import { TenantParams, pagingQuery } from '../../shared/schemas/common';

const AppParams = TenantParams.extend({ application_id: z.string().min(1).max(64) });
const AssigneeParams = AppParams.extend({ assignee_id: z.string().min(1).max(64) });
const PagingQuery = z.object(pagingQuery);
const base = '/api/v1/tenants/{tenant_id}/applications';
const tags = ['applications'];

export const applicationRoutes = (apps: ApplicationService) => [
  defineRoute({
    method: 'get', path: base, summary: 'List applications', tags, access: 'applications:read',
    params: TenantParams, query: ApplicationListQuery,
    responses: { 200: { description: 'A page of applications', schema: PaginatedApplicationList } },
    handler: async (ctx, { params, query }) => sendPage(ctx, await apps.list(actorOf(ctx), params.tenant_id, query)),
  }),
  defineRoute({
    method: 'post', path: base, summary: 'Register an application', tags, access: 'applications:write',
    description: 'Answers the client id and, this once only, the client secret for `grant_type=client_credentials`.',
    params: TenantParams, body: ApplicationCreate,
    responses: { 201: { description: 'Created, with `client_secret`', schema: ApiResponseApplication } },
    handler: async (ctx, { params, body }) => sendData(ctx, await apps.create(actorOf(ctx), params.tenant_id, body), 201),
  }),
  defineRoute({
    method: 'get', path: `${base}/{application_id}`, summary: 'Get an application', tags, access: 'applications:read',
    params: AppParams,
    responses: { 200: { description: 'The application', schema: ApiResponseApplication } },
    handler: async (ctx, { params }) => sendData(ctx, await apps.get(actorOf(ctx), params.tenant_id, params.application_id)),
  }),
  defineRoute({
    method: 'patch', path: `${base}/{application_id}`, summary: 'Update an application', tags, access: 'applications:write',
    params: AppParams, body: ApplicationUpdate,
    responses: { 200: { description: 'Updated', schema: ApiResponseApplication } },
    handler: async (ctx, { params, body }) => sendData(ctx, await apps.update(actorOf(ctx), params.tenant_id, params.application_id, body)),
  }),
  defineRoute({
    method: 'delete', path: `${base}/{application_id}`, summary: 'Delete an application', tags, access: 'applications:write',
    params: AppParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      await apps.delete(actorOf(ctx), params.tenant_id, params.application_id);
      ctx.status = 204;
    },
  }),
  defineRoute({
    method: 'post', path: `${base}/{application_id}/client-secret`, summary: 'Rotate the client secret', tags, access: 'applications:write',
    description: 'The old secret stops working at once; the new one is in this answer only.',
    params: AppParams,
    responses: { 200: { description: 'With the new `client_secret`', schema: ApiResponseApplication } },
    handler: async (ctx, { params }) => sendData(ctx, await apps.rotateSecret(actorOf(ctx), params.tenant_id, params.application_id)),
  }),
  defineRoute({
    method: 'get', path: `${base}/{application_id}/assignments`, summary: 'List assignments', tags, access: 'applications:read',
    params: AppParams, query: PagingQuery,
    responses: { 200: { description: 'Users and groups assigned', schema: PaginatedAssignments } },
    handler: async (ctx, { params, query }) => sendPage(ctx, await apps.assignments(actorOf(ctx), params.tenant_id, params.application_id, query)),
  }),
  defineRoute({
    method: 'post', path: `${base}/{application_id}/assignments`, summary: 'Assign users and groups', tags, access: 'applications:write',
    params: AppParams, body: AssignmentsAdd,
    responses: { 200: { description: 'The application after the change', schema: ApiResponseApplication } },
    handler: async (ctx, { params, body }) => sendData(ctx, await apps.assign(actorOf(ctx), params.tenant_id, params.application_id, body)),
  }),
  defineRoute({
    method: 'delete', path: `${base}/{application_id}/assignments/{assignee_id}`, summary: 'Remove an assignment', tags, access: 'applications:write',
    params: AssigneeParams,
    responses: { 204: { description: 'Removed' } },
    handler: async (ctx, { params }) => {
      await apps.unassign(actorOf(ctx), params.tenant_id, params.application_id, params.assignee_id);
      ctx.status = 204;
    },
  }),
  defineRoute({
    method: 'get', path: `${base}/{application_id}/effective-users`, summary: 'Users the application reaches', tags, access: 'applications:effective_users',
    description: 'Assigned directly or through a group at any depth. An application may call this for itself.',
    params: AppParams, query: PagingQuery,
    responses: { 200: { description: 'A page of users', schema: PaginatedEffectiveUsers } },
    handler: async (ctx, { params, query }) => sendPage(ctx, await apps.effectiveUsers(actorOf(ctx), params.tenant_id, params.application_id, query)),
  }),
];
