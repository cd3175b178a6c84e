import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendCursorPage } from '../http/envelope';
import type { ActivityService } from '../services/activity-service';
import type { Database } from '../db/database';
import { sendActivityStream } from '../http/sse';
import { ActivityPage, ActivityQuery } from '../../shared/schemas/activity';
import { TenantParams } from '../../shared/schemas/common';


export const auditRoutes = (activity: ActivityService, db: Database) => [
  defineRoute({
    method: 'get', path: '/api/v1/tenants/{tenant_id}/audit-events', summary: 'The tenant\'s audit log', tags: ['audit'], access: 'audit:read',
    description: 'Every change in the tenant, newest first, with cursor paging and filters by action and time. The log is append-only: no route changes or deletes an event.',
    params: TenantParams, query: ActivityQuery,
    responses: { 200: { description: 'A page of events', schema: ActivityPage } },
    handler: async (ctx, { params, query }) => {
      const page = await activity.forTenant(actorOf(ctx), params.tenant_id, query);
      sendCursorPage(ctx, page);
    },
  }),
  defineRoute({
    method: 'get', path: '/api/v1/tenants/{tenant_id}/audit-events/stream', summary: 'The tenant\'s audit log, live', tags: ['audit'], access: 'audit:read',
    description: 'Server-Sent Events: each new event as `event: activity` with its id, within a second of being written through any server; keep-alive comments every 15 s. Send `Last-Event-ID` to resume without gaps or repeats.',
    params: TenantParams,
    responses: { 200: { description: 'text/event-stream' } },
    handler: async (ctx, { params }) => sendActivityStream(ctx, db, await activity.tenantEvents(actorOf(ctx), params.tenant_id)),
  }),
];
