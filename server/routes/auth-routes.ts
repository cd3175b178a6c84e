import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import type { AppContext } from '../http/context';
import type { AuthService } from '../services/auth-service';
import { RevokeRequest, TokenRequest, TokenResponse } from '../../shared/schemas/auth';
import { sendData } from '../http/envelope';
import { validationError } from '../errors/app-error';

const clientOf = (ctx: AppContext) => ({ ip: ctx.ip, userAgent: ctx.get('User-Agent') || null, requestId: ctx.state.requestId });

export const authRoutes = (auth: AuthService) => [
  defineRoute({
    method: 'post', path: '/api/v1/auth/token', summary: 'Get tokens', tags: ['auth'], access: 'public',
    description: 'OAuth 2.0 token endpoint: `password` (with optional `tenant` id or slug, default `default`) and `refresh_token` grants. Refresh tokens rotate on every use.',
    body: TokenRequest, bodyTypes: ['json', 'form'],
    responses: { 200: { description: 'Tokens', schema: TokenResponse } },
    handler: async (ctx, { body }) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = body.grant_type === 'password' ? await auth.passwordGrant(body, clientOf(ctx)) : await auth.refreshGrant(body.refresh_token, clientOf(ctx));
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/auth/revoke', summary: 'End a session', tags: ['auth'], access: 'public',
    description: 'RFC 7009: revokes the session of the given refresh or access token, or, with no `token`, the session of the bearer token sent. Unknown tokens are not an error.',
    body: RevokeRequest, bodyTypes: ['json', 'form'],
    responses: { 200: { description: 'Revoked', schema: z.object({ data: z.object({ revoked: z.boolean() }) }) } },
    handler: async (ctx, { body }) => {
      const bearer = /^Bearer (.+)$/i.exec(ctx.get('Authorization'))?.[1];
      const token = body.token ?? bearer;
      if (!token) throw validationError(['body', 'token'], 'Field required', 'missing');
      await auth.revoke(token, clientOf(ctx));
      sendData(ctx, { revoked: true });
    },
  }),
];
