import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Database } from './db/database';
import type { TokenSigner } from './auth/token-signer';
import type { Services } from './services';
import type { RouteDef } from './http/define-route';
import { requestId } from './middleware/request-id';
import { clientIp } from './middleware/client-ip';
import { bodyGuard, urlGuard } from './middleware/input-guard';
import { auditDenied } from './middleware/audit-denied';
import { requestLog } from './middleware/request-log';
import { errorHandler } from './middleware/error-handler';
import { securityHeaders } from './middleware/security-headers';
import { authenticate } from './middleware/authenticate';
import { mountRoutes } from './http/mount-routes';
import { buildOpenApiDocument } from './http/openapi';
import { healthRoutes } from './routes/health-routes';
import { authRoutes } from './routes/auth-routes';
import { tenantRoutes } from './routes/tenant-routes';
import { tenantUserRoutes } from './routes/tenant-user-routes';
import { partnerRoutes } from './routes/partner-routes';
import { ouRoutes } from './routes/ou-routes';
import { groupRoutes } from './routes/group-routes';
import { identityRoutes } from './routes/identity-routes';
import { applicationRoutes } from './routes/application-routes';
import { apiTokenRoutes } from './routes/api-token-routes';
import { adminUserRoutes } from './routes/admin-user-routes';
import { selfRoutes } from './routes/self-routes';
import { userRoutes } from './routes/user-routes';
import { auditRoutes } from './routes/audit-routes';
import { mailRoutes } from './routes/mail-routes';
import { IMPORT_PATH, importRoutes } from './routes/import-routes';
import { statsRoutes } from './routes/stats-routes';
import { mountDocs } from './routes/docs-routes';
import { ROSTER_VERSION } from './version';
import { scimRoutes } from './scim/routes';
import { adminApp } from './http/admin-app';
import { liveStreamsOf } from './http/sse';
import { createMetrics } from './metrics/registry';
import { httpMetrics } from './metrics/http-metrics';
import { metricsEndpoint } from './metrics/metrics-endpoint';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  signer: TokenSigner;
  services: Services;
}

/** Every declared route of the API, in one list: the router and the OpenAPI document read it. */
export function apiRoutes({ db, services }: Pick<AppDeps, 'db' | 'services'>): RouteDef[] {
  return [
    ...healthRoutes(db),
    ...authRoutes(services.auth, services.loginThrottle),
    ...tenantRoutes(services.tenants),
    ...partnerRoutes(services.partners),
    ...tenantUserRoutes(services.users),
    ...identityRoutes(services.identities),
    ...ouRoutes(services.ous),
    ...groupRoutes(services.groups),
    ...applicationRoutes(services.applications),
    ...apiTokenRoutes(services.apiTokens),
    ...adminUserRoutes(services.adminUsers),
    ...selfRoutes(services.mfa),
    ...userRoutes(services, db),
    ...auditRoutes(services.activity, db),
    ...mailRoutes(services.mail),
    ...importRoutes(services.imports),
    ...statsRoutes(services.stats),
  ];
}

/** The Koa application without a listener: index.ts listens, tests call `app.callback()`. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  const metrics = createMetrics(deps.db);
  liveStreamsOf(app, metrics.sseClients);
  app.use(requestId);
  // Before anything reads ctx.ip: the log line, sessions, the audit trail, rate limits.
  app.use(clientIp(deps.config.trustedProxies));
  app.use(httpMetrics(metrics));
  app.use(requestLog(deps.logger));
  app.use(errorHandler(deps.logger));
  app.use(securityHeaders);
  app.use(auditDenied(deps.db, deps.logger));
  app.use(urlGuard);
  app.use(adminApp());
  app.use(metricsEndpoint(metrics, deps.config.metricsToken));
  // SCIM before the REST body parser: it parses its own bodies and renders its own errors.
  app.use(scimRoutes(deps));
  const parseBody = bodyParser({
      enableTypes: ['json', 'form'],
      // DELETE too: turning MFA off carries the code that proves it is the owner.
      parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
      jsonLimit: deps.config.bodyLimit,
      formLimit: deps.config.bodyLimit,
      encoding: 'utf-8',
      onError: (err) => {
        throw err;
      },
  });
  // A bulk import streams its (possibly huge) body itself, a JSON array included.
  app.use((ctx, next) => (ctx.path === IMPORT_PATH ? next() : parseBody(ctx, next)));
  app.use(bodyGuard);

  const routes = apiRoutes(deps);
  const router = new Router();
  mountRoutes(router, routes, authenticate(deps.signer, deps.services.auth, deps.services.apiTokens));
  mountDocs(router, () => buildOpenApiDocument(routes, ROSTER_VERSION));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
