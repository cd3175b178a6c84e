import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData } from '../http/envelope';
import type { StatsService } from '../services/stats-service';
import { TenantParams } from '../../shared/schemas/common';
import { ApiResponseTenantStats, StatsQuery } from '../../shared/schemas/stats';

/** The admin dashboard's figures; readable by whoever may read the audit log they come from. */
export const statsRoutes = (stats: StatsService) => [
  defineRoute({
    method: 'get', path: '/api/v1/tenants/{tenant_id}/stats', summary: 'The tenant\'s dashboard figures', tags: ['audit'], access: 'audit:read',
    description: 'Users by status, sign-ins, failed sign-ins and lockouts per UTC day (the last `days` days, today included), and the last seven days\' totals with imports. Counted in the database.',
    params: TenantParams, query: StatsQuery,
    responses: { 200: { description: 'The figures', schema: ApiResponseTenantStats } },
    handler: async (ctx, { params, query }) => sendData(ctx, await stats.forTenant(actorOf(ctx), params.tenant_id, query.days)),
  }),
];
