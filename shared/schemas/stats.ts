import { z } from 'zod';
import { UserStatus } from './user';

export const STATS_DAYS_DEFAULT = 14;
export const STATS_DAYS_MAX = 90;

export const StatsQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(STATS_DAYS_MAX)
    .default(STATS_DAYS_DEFAULT)
    .describe(`How many UTC days the per-day series covers, today included (${STATS_DAYS_DEFAULT} by default)`),
});

const ImportTotals = z.object({
  jobs: z.number().int().describe('Import jobs started (dry runs not counted)'),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int().describe('Rows that failed'),
});

export const TenantStats = z
  .object({
    tenant_id: z.string(),
    generated_at: z.string(),
    users_by_status: z.array(z.object({ status: UserStatus, count: z.number().int() })).describe('Live (not deleted) users, every status listed'),
    total_users: z.number().int(),
    days: z
      .array(z.object({ date: z.string().describe('YYYY-MM-DD, UTC'), sign_ins: z.number().int(), failed_sign_ins: z.number().int(), lockouts: z.number().int() }))
      .describe('One entry per UTC day, oldest first, today last; days without events count 0'),
    week: z
      .object({
        since: z.string().describe('Start of the week: midnight UTC six days before today'),
        sign_ins: z.number().int(),
        failed_sign_ins: z.number().int(),
        lockouts: z.number().int().describe('Accounts locked, by failed sign-ins or by an admin'),
        imports: ImportTotals,
      })
      .describe('The last 7 UTC days, today included'),
  })
  .meta({ id: 'TenantStats', description: 'Figures for the admin dashboard, counted in the database.' });
export type TenantStats = z.infer<typeof TenantStats>;

export const ApiResponseTenantStats = z.object({ data: TenantStats }).meta({ id: 'ApiResponseTenantStats' });
