import koaJwt from 'koa-jwt';
import type { Next } from 'koa';
import type { AppContext } from '../http/context';
import { unauthorized } from '../errors/app-error';
import { JWT_ALGORITHM, JWT_CLOCK_TOLERANCE_S, JWT_ISSUER, type TokenSigner } from '../auth/token-signer';
import type { AuthService } from '../services/auth-service';
import type { ApiTokenService } from '../services/api-token-service';

const API_TOKEN = /^Bearer\s+(rst_\S+)$/i;

/**
 * Two kinds of bearer token. Tenant API tokens (`rst_…`) are looked up by id and checked against
 * their stored hash. Everything else must be a JWT: koa-jwt checks it (HS256 only, issuer,
 * expiry), then the session or application behind it is loaded, so a revoked session, a disabled
 * user or application, or a changed role count from the next request on. Tokens are read from
 * the Authorization header only: never from a cookie or the URL.
 */
export function authenticate(signer: TokenSigner, auth: AuthService, apiTokens: ApiTokenService) {
  const verify = koaJwt({
    // A KeyObject (see TokenSigner.key): koa-jwt hands it to jsonwebtoken as is; its types only know strings and Buffers.
    secret: signer.key as unknown as Buffer,
    algorithms: [JWT_ALGORITHM],
    issuer: JWT_ISSUER,
    clockTolerance: JWT_CLOCK_TOLERANCE_S,
    key: 'jwt',
  } as Parameters<typeof koaJwt>[0]);

  return async (ctx: AppContext, next: Next) => {
    const apiToken = API_TOKEN.exec(ctx.get('Authorization'))?.[1];
    if (apiToken) {
      const token = await apiTokens.authenticate(apiToken);
      if (!token) throw unauthorized('Invalid, expired or revoked API token');
      ctx.state.principal = { kind: 'api_token', tokenId: token.id, tenantId: token.tenantId, partnerId: token.partnerId, scopes: token.scopes };
      return next();
    }
    await verify(ctx as never, async () => {
      const claims = ctx.state.jwt as { sub?: string; sid?: string; tid?: string; kind?: string; exp?: number } | undefined;
      if (!claims?.sub || typeof claims.exp !== 'number') throw unauthorized('Invalid or expired token');
      const principal =
        claims.kind === 'application'
          ? claims.tid && (await auth.principalForApplication(claims.sub, claims.tid))
          : claims.sid && (await auth.principalForSession(claims.sid, claims.sub));
      if (!principal) throw unauthorized('The session has ended');
      ctx.state.principal = principal;
      await next();
    });
  };
}
