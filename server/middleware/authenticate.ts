import koaJwt from 'koa-jwt';
import type { Next } from 'koa';
import type { AppContext } from '../http/context';
import { unauthorized } from '../errors/app-error';
import { JWT_ALGORITHM, JWT_CLOCK_TOLERANCE_S, JWT_ISSUER, type TokenSigner } from '../auth/token-signer';
import type { AuthService } from '../services/auth-service';

/**
 * koa-jwt checks the token (HS256 only, issuer, expiry); then the session behind it is looked
 * up, so a revoked session, a disabled user or a changed role count from the next request on.
 * Tokens are read from the Authorization header only: never from a cookie or the URL.
 */
export function authenticate(signer: TokenSigner, auth: AuthService) {
  const verify = koaJwt({
    secret: signer.secret,
    algorithms: [JWT_ALGORITHM],
    issuer: JWT_ISSUER,
    clockTolerance: JWT_CLOCK_TOLERANCE_S,
    key: 'jwt',
  } as Parameters<typeof koaJwt>[0]);

  return async (ctx: AppContext, next: Next) => {
    await verify(ctx as never, async () => {
      const claims = ctx.state.jwt as { sub?: string; sid?: string; exp?: number } | undefined;
      if (!claims?.sub || !claims.sid || typeof claims.exp !== 'number') throw unauthorized('Invalid or expired token');
      const principal = await auth.principalForSession(claims.sid, claims.sub);
      if (!principal) throw unauthorized('The session has ended');
      ctx.state.principal = principal;
      await next();
    });
  };
}
