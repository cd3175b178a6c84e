import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';

export const JWT_ALGORITHM = 'HS256' as const;
export const JWT_ISSUER = 'roster';
/** Clock skew tolerated between servers when checking `exp`/`nbf`. */
export const JWT_CLOCK_TOLERANCE_S = 30;

/** A user's token names its session (`sid`); an application's says `kind: application`. */
export type AccessClaims =
  | { sub: string; tid: string; sid: string; role: string; scope: string; kind?: undefined }
  | { sub: string; tid: string; kind: 'application'; scope: string; sid?: undefined };

export class TokenSigner {
  /**
   * The secret as a KeyObject, made once. Given a string, jsonwebtoken first tries to read it as
   * a PEM public or private key on every call and falls back to a secret key when that throws:
   * that failed parse was a sixth of the CPU of every authenticated request.
   */
  readonly key: crypto.KeyObject;

  constructor(readonly secret: string) {
    this.key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
  }

  signAccess(claims: AccessClaims, ttlSeconds: number): string {
    return jwt.sign(claims, this.key, { algorithm: JWT_ALGORITHM, expiresIn: ttlSeconds, issuer: JWT_ISSUER, jwtid: crypto.randomUUID() });
  }

  /** Verifies signature, algorithm, issuer and expiry; throws on anything else. */
  verifyAccess(token: string): AccessClaims & { exp: number } {
    return jwt.verify(token, this.key, { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER, clockTolerance: JWT_CLOCK_TOLERANCE_S }) as AccessClaims & { exp: number };
  }
}

/** A random opaque secret (refresh tokens, reset links). */
export const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');

/** Secrets are stored only as their SHA-256: enough for high-entropy random tokens. */
export const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
