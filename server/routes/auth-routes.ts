import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import type { AppContext } from '../http/context';
import type { AuthService } from '../services/auth-service';
import type { LoginThrottle } from '../services/login-throttle';
import { RevokeRequest, TokenRequest, TokenResponse } from '../../shared/schemas/auth';
import { sendData } from '../http/envelope';
import { validationError } from '../errors/app-error';

/** RFC 6749 §2.3.1: client id and secret as HTTP Basic credentials, form-urlencoded. */
function basicCredentials(ctx: AppContext): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(ctx.get('Authorization'));
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

const clientOf = (ctx: AppContext) => ({ ip: ctx.ip, userAgent: ctx.get('User-Agent') || null, requestId: ctx.state.requestId });

export const authRoutes = (auth: AuthService, throttle: LoginThrottle) => [
  defineRoute({
    method: 'post', path: '/api/v1/auth/token', summary: 'Get tokens', tags: ['auth'], access: 'public',
    description: 'OAuth 2.0 token endpoint: `password` (with optional `tenant` id or slug, default `default`), `refresh_token` (refresh tokens rotate on every use) and `client_credentials` for applications (client id and secret in the body or as HTTP Basic). Rate limited per client address and, for failed password sign-ins, per account: over a limit the answer is 429 with `Retry-After`.',
    body: TokenRequest, bodyTypes: ['json', 'form'],
    responses: { 200: { description: 'Tokens', schema: TokenResponse } },
    handler: async (ctx, { body }) => {
      ctx.set('Cache-Control', 'no-store');
      await throttle.request(ctx.ip);
      if (body.grant_type === 'password') ctx.body = await throttle.passwordAttempt(ctx.ip, body.tenant, body.username, () => auth.passwordGrant(body, clientOf(ctx)));
      else if (body.grant_type === 'refresh_token') ctx.body = await auth.refreshGrant(body.refresh_token, clientOf(ctx));
      else {
        const basic = basicCredentials(ctx);
        ctx.body = await auth.clientCredentialsGrant(basic?.id ?? body.client_id, basic?.secret ?? body.client_secret);
      }
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
