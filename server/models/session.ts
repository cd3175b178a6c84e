import { BaseModel } from './base-model';

export class Session extends BaseModel {
  static override tableName = 'sessions';

  tenantId!: string;
  userId!: string;
  createdAt!: string;
  lastUsedAt!: string;
  expiresAt!: string;
  revokedAt!: string | null;
  revokedReason!: string | null;
  ip!: string | null;
  userAgent!: string | null;
  mfaEnrollmentOnly!: boolean;
}

export class RefreshToken extends BaseModel {
  static override tableName = 'refresh_tokens';

  sessionId!: string;
  tokenHash!: string;
  createdAt!: string;
  expiresAt!: string;
  usedAt!: string | null;
}
