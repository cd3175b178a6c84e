import koaJwt from 'koa-jwt';
import type { Next } from 'koa';
import type { AppContext } from '../http/context';
import { unauthorized } from '../errors/app-error';
import { JWT_ALGORITHM, JWT_CLOCK_TOLERANCE_S, JWT_ISSUER, type TokenSigner } from '../auth/token-signer';
import type { AuthService } from '../services/auth-service';
import type { ApiTokenService } from '../services/api-token-service';
import { VerifiedTokens } from '../auth/verified-tokens';

const API_TOKEN = /^Bearer\s+(rst_\S+)$/i;

/** The token as koa-jwt reads the header (trimmed, split on one space), so both agree on it. */
function bearerOf(header: string): string | undefined {
  const parts = header.trim().split(' ');
  return parts.length === 2 && /^Bearer$/i.test(parts[0]) && parts[1] ? parts[1] : undefined;
}

type Claims = { sub?: string; sid?: string; tid?: string; kind?: string; exp?: number };

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
  const verified = new VerifiedTokens<Claims>();

  const loadPrincipal = async (ctx: AppContext, claims: Claims | undefined, next: Next) => {
    if (!claims?.sub || typeof claims.exp !== 'number') throw unauthorized('Invalid or expired token');
    const principal =
      claims.kind === 'application'
        ? claims.tid && (await auth.principalForApplication(claims.sub, claims.tid))
        : claims.sid && (await auth.principalForSession(claims.sid, claims.sub));
    if (!principal) throw unauthorized('The session has ended');
    ctx.state.principal = principal;
    await next();
  };

  return async (ctx: AppContext, next: Next) => {
    const apiToken = API_TOKEN.exec(ctx.get('Authorization'))?.[1];
    if (apiToken) {
      const token = await apiTokens.authenticate(apiToken);
      if (!token) throw unauthorized('Invalid, expired or revoked API token');
      ctx.state.principal = { kind: 'api_token', tokenId: token.id, tenantId: token.tenantId, partnerId: token.partnerId, scopes: token.scopes };
      return next();
    }
    const token = bearerOf(ctx.get('Authorization'));
    const known = token && verified.get(token);
    if (known) {
      ctx.state.jwt = known;
      return loadPrincipal(ctx, known, next);
    }
    await verify(ctx as never, async () => {
      const claims = ctx.state.jwt as Claims | undefined;
      if (token && claims) verified.remember(token, claims);
      await loadPrincipal(ctx, claims, next);
    });
  };
}
