import { JWT_CLOCK_TOLERANCE_S } from './token-signer';

/**
 * Access tokens whose signature, algorithm and issuer were already checked. A client sends the
 * same token on every request for its whole life, and checking it again (parse, HMAC, claims)
 * was a tenth of an authenticated request's CPU. The key is the whole token, signature included,
 * so only the exact bytes that passed are taken; expiry is checked again on every hit. Whether
 * the session behind the token still holds is not cached: that is read on every request.
 */
export class VerifiedTokens<Claims extends { exp?: number }> {
  private readonly claims = new Map<string, Claims>();

  constructor(private readonly capacity = 10_000) {}

  /** The claims of a token that passed before and has not expired; undefined otherwise. */
  get(token: string, nowMs = Date.now()): Claims | undefined {
    const claims = this.claims.get(token);
    if (!claims) return undefined;
    if (typeof claims.exp !== 'number' || claims.exp + JWT_CLOCK_TOLERANCE_S <= nowMs / 1000) {
      this.claims.delete(token);
      return undefined;
    }
    return claims;
  }

  remember(token: string, claims: Claims) {
    // Oldest first: a Map iterates in insertion order.
    if (this.claims.size >= this.capacity) this.claims.delete(this.claims.keys().next().value!);
    this.claims.set(token, claims);
  }
}
