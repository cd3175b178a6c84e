import http from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';

/**
 * The ceiling the HTTP figures are ratios of: Koa and its router answering a 20-item JSON array,
 * with no database, auth or validation. Run as a process of its own by the benchmark.
 */
const items = Array.from({ length: 20 }, (_, i) => ({
  id: `0190a3b2-7c4d-7e5f-8a6b-${String(i).padStart(12, '0')}`,
  email: `user${i}@example.com`,
  display_name: `User ${i}`,
  status: 'ACTIVE',
}));

const app = new Koa();
const router = new Router();
router.get('/', (ctx) => {
  ctx.body = items;
});
app.use(router.routes());
http.createServer(app.callback()).listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
