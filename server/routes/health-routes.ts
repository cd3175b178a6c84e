import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import type { Database } from '../db/database';
import { AppError } from '../errors/app-error';

const Health = z.object({ status: z.literal('ok'), database: z.string().optional() }).meta({ id: 'Health' });

export const healthRoutes = (db: Database) => [
  defineRoute({
    method: 'get', path: '/healthz', summary: 'The process is up', tags: ['health'], access: 'public',
    responses: { 200: { description: 'Up', schema: Health } },
    handler: async (ctx) => {
      ctx.body = { status: 'ok' };
    },
  }),
  defineRoute({
    method: 'get', path: '/readyz', summary: 'The database answers', tags: ['health'], access: 'public',
    responses: { 200: { description: 'Ready', schema: Health }, 503: { description: 'The database does not answer' } },
    handler: async (ctx) => {
      try {
        await db.knex.raw('SELECT 1');
      } catch {
        throw new AppError(503, 'service_unavailable', 'The database does not answer', undefined, undefined, { 'Retry-After': '5' });
      }
      ctx.body = { status: 'ok', database: db.dialect === 'sqlite' ? 'sqlite' : 'postgresql' };
    },
  }),
];
