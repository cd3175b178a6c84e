import { describe, expect, it } from 'vitest';
import { VerifiedTokens } from '../../server/auth/verified-tokens';
import { JWT_CLOCK_TOLERANCE_S } from '../../server/auth/token-signer';

describe('verified access tokens kept between requests', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const exp = t0 / 1000 + 60;

  it('gives back the claims of the exact token that passed, and nothing for any other string', () => {
    const kept = new VerifiedTokens<{ sub: string; exp: number }>();
    kept.remember('aaa.bbb.ccc', { sub: 'u1', exp });
    expect(kept.get('aaa.bbb.ccc', t0)).toEqual({ sub: 'u1', exp });
    expect(kept.get('aaa.bbb.ccd', t0)).toBeUndefined();
    expect(kept.get('aaa.bbb.cc', t0)).toBeUndefined();
  });

  it('stops at expiry plus the tolerated clock skew, as the verification itself does', () => {
    const kept = new VerifiedTokens<{ exp: number }>();
    kept.remember('t', { exp });
    expect(kept.get('t', (exp + JWT_CLOCK_TOLERANCE_S - 1) * 1000)).toBeDefined();
    expect(kept.get('t', (exp + JWT_CLOCK_TOLERANCE_S) * 1000)).toBeUndefined();
    // Once expired it is gone, even for a clock that goes back.
    expect(kept.get('t', t0)).toBeUndefined();
  });

  it('refuses claims without an expiry', () => {
    const kept = new VerifiedTokens<{ exp?: number }>();
    kept.remember('t', {});
    expect(kept.get('t', t0)).toBeUndefined();
  });

  it('holds at most its capacity, dropping the oldest first', () => {
    const kept = new VerifiedTokens<{ exp: number }>(2);
    kept.remember('a', { exp });
    kept.remember('b', { exp });
    kept.remember('c', { exp });
    expect(kept.get('a', t0)).toBeUndefined();
    expect(kept.get('b', t0)).toBeDefined();
    expect(kept.get('c', t0)).toBeDefined();
  });
});
