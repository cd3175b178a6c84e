import type { z } from 'zod';
import type { AppContext } from './context';
import type { Permission } from '../auth/permissions';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
}

/**
 * One declaration per route: what it accepts, who may call it, what it answers. The same
 * declaration validates requests at run time and writes the OpenAPI document, so the two
 * cannot drift.
 */
export interface RouteDef<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** OpenAPI style: `/api/v1/tenants/{tenant_id}/users`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** `public`: no token needed; otherwise the permission the caller's role must hold. */
  access: 'public' | Permission;
  params?: P;
  query?: Q;
  body?: B;
  /** Open to a session that must enrol in MFA before anything else (the enrolment routes). */
  duringMfaEnrollment?: boolean;
  /** Body content types accepted; JSON unless said otherwise. */
  bodyTypes?: ('json' | 'form')[];
  responses: Record<number, RouteResponse>;
  handler: (ctx: AppContext, input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }) => Promise<void>;
}

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

/** `/a/{b}` -> `/a/:b` for @koa/router. */
export const koaPath = (openApiPath: string) => openApiPath.replace(/\{([^}]+)\}/g, ':$1');
