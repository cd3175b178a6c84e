import { BaseModel } from './base-model';

export type UserTokenPurpose = 'password_reset' | 'email_verification';

/** One-time tokens mailed to a user; only their SHA-256 is stored. */
export class UserToken extends BaseModel {
  static override tableName = 'user_tokens';

  tenantId!: string;
  userId!: string;
  purpose!: UserTokenPurpose;
  tokenHash!: string;
  createdAt!: string;
  expiresAt!: string;
  usedAt!: string | null;
}
