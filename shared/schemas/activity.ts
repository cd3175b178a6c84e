import { z } from 'zod';

export const ActivityEventResponse = z
  .object({
    id: z.string().describe('Time-ordered: newer events have greater ids'),
    tenant_id: z.string(),
    action: z.string(),
    actor_type: z.enum(['user', 'system', 'token', 'application']),
    actor_id: z.string().nullable(),
    subject_type: z.string(),
    subject_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
    request_id: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'ActivityEvent' });

export const ActivityQuery = z.object({
  action: z.string().max(500).optional().describe('One action, or several separated by commas; `user.*` matches a prefix'),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  actor_id: z.uuid().optional().describe('Only events caused by this user, token or application'),
  subject_id: z.uuid().optional().describe('Only events about this user, group, application, ...'),
  cursor: z.uuid().optional().describe('The `next_cursor` of the previous page'),
  limit: z.coerce.number().int().min(1).optional().describe('At most 100; 50 by default'),
});

export const ActivityPage = z
  .object({
    data: z.array(ActivityEventResponse),
    pagination: z.object({ per_page: z.number().int(), next_cursor: z.string().nullable(), has_more: z.boolean() }),
  })
  .meta({ id: 'ActivityPage', description: 'Newest first; pass `next_cursor` as `cursor` for the next page. New events never shift pages already read.' });

export const ActivityCount = z.object({ data: z.object({ count: z.number().int() }) }).meta({ id: 'ActivityCount' });
