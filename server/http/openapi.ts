import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import type { RouteDef } from './define-route';
import { ErrorResponse } from '../../shared/schemas/common';
import { PERMISSIONS, type Permission } from '../auth/permissions';

const COMMON_ERRORS: Record<number, string> = {
  401: 'No, expired or bad token',
  403: 'Authenticated but not allowed',
  404: 'No such resource in your reach',
  422: 'Validation error: `detail` lists every failing field',
};

/** The OpenAPI 3.1 document, written from the same declarations that validate requests. */
export function buildOpenApiDocument(routes: RouteDef[], version: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

  for (const r of routes) {
    const responses: RouteConfig['responses'] = {};
    for (const [status, res] of Object.entries(r.responses)) {
      responses[status] = res.schema ? { description: res.description, content: { 'application/json': { schema: res.schema } } } : { description: res.description };
    }
    const errorStatuses = r.access === 'public' ? [422] : Object.keys(COMMON_ERRORS).map(Number);
    for (const status of errorStatuses) {
      responses[status] ??= { description: COMMON_ERRORS[status], content: { 'application/json': { schema: ErrorResponse } } };
    }
    const bodyContent: Record<string, { schema: z.ZodType }> = {};
    if (r.body) for (const t of r.bodyTypes ?? ['json']) bodyContent[t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'] = { schema: r.body };

    registry.registerPath({
      method: r.method,
      path: r.path,
      summary: r.summary,
      description: [r.description, r.access === 'public' ? undefined : accessText(r.access)].filter(Boolean).join('\n\n'),
      tags: r.tags,
      security: r.access === 'public' ? [] : [{ bearerAuth: [] }],
      request: {
        params: r.params as never,
        query: r.query as never,
        body: r.body ? { required: true, content: bodyContent } : undefined,
      },
      responses,
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Roster API', version, description: 'Multi-tenant user directory: REST API. Errors always have the shape of ErrorResponse.' },
    servers: [{ url: '/' }],
  });
}

function accessText(permission: Permission): string {
  const grant: { roles: readonly string[]; scopes?: readonly string[] } = PERMISSIONS[permission];
  const scopes = grant.scopes?.length ? ` API token scopes: ${grant.scopes.join(', ')}.` : '';
  return `Permission \`${permission}\`. Roles: ${grant.roles.join(', ')}.${scopes}`;
}
