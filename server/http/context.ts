import type { RouterContext } from '@koa/router';
import type { Principal } from '../auth/principal';

export interface AppState {
  requestId: string;
  principal?: Principal;
  jwt?: Record<string, unknown>;
}

export type AppContext = RouterContext<AppState>;

/** Who is acting and from where: what services need of a request, without the request. */
export interface Actor {
  principal: Principal;
  ip: string;
  requestId: string;
}

export function actorOf(ctx: AppContext): Actor {
  const principal = ctx.state.principal;
  if (!principal) throw new Error('actorOf() on an unauthenticated route');
  return { principal, ip: ctx.ip, requestId: ctx.state.requestId };
}
