import type Router from '@koa/router';
import type { Middleware, Next } from 'koa';
import type { AppContext } from './context';
import { koaPath, type RouteDef } from './define-route';
import { parseInput } from './parse-input';
import { can, type Permission } from '../auth/permissions';
import { forbidden } from '../errors/app-error';

function requirePermission(route: RouteDef) {
  const permission = route.access as Permission;
  return async (ctx: AppContext, next: Next) => {
    const principal = ctx.state.principal!;
    if (principal.kind === 'user' && principal.mfaEnrollmentOnly && !route.duringMfaEnrollment) {
      throw forbidden('Your tenant requires MFA: enrol first with POST /api/v1/users/me/mfa/totp');
    }
    if (!can(principal, permission)) throw forbidden();
    await next();
  };
}

/** Registers declared routes: authentication, the permission table, validation, then the handler. */
export function mountRoutes(router: Router, routes: RouteDef[], authenticate: (ctx: AppContext, next: Next) => Promise<void>) {
  for (const route of routes) {
    const stack: Middleware[] = [];
    if (route.access !== 'public') stack.push(authenticate as unknown as Middleware, requirePermission(route) as unknown as Middleware);
    stack.push(async (ctx) => {
      const c = ctx as unknown as AppContext;
      const input = parseInput(c, route);
      await route.handler(c, input as never);
    });
    router[route.method](koaPath(route.path), ...stack);
  }
}
