import { BaseModel } from './base-model';
import type { IdentitySource, Role, UserStatus } from '../../shared/schemas/user';

export class User extends BaseModel {
  static override tableName = 'users';
  static override timestamps = true;
  static override jsonAttributes = ['customAttributes', 'metadata', 'scimAttributes'];

  tenantId!: string;
  email!: string;
  emailNormalized!: string;
  emailVerified!: boolean;
  username!: string | null;
  usernameNormalized!: string | null;
  firstName!: string | null;
  lastName!: string | null;
  displayName!: string | null;
  phone!: string | null;
  locale!: string;
  timezone!: string;
  avatarUrl!: string | null;
  company!: string | null;
  jobTitle!: string | null;
  ouId!: string | null;
  status!: UserStatus;
  identitySource!: IdentitySource;
  mfaEnabled!: boolean;
  customAttributes!: Record<string, unknown> | null;
  metadata!: Record<string, unknown> | null;
  role!: Role;
  isInternal!: boolean;
  isOnboarded!: boolean;
  passwordExpired!: boolean;
  requirePasswordChange!: boolean;
  passwordHash!: string | null;
  failedLoginCount!: number;
  createdAt!: string;
  updatedAt!: string;
  lastLoginAt!: string | null;
  passwordChangedAt!: string | null;
  lockedAt!: string | null;
  lockReason!: 'failed_logins' | 'admin' | null;
  deletedAt!: string | null;
  mergedInto!: string | null;
  version!: number;
  searchText!: string;
  totpSecret!: string | null;
  totpPendingSecret!: string | null;
  totpLastEpoch!: number | string | null;
  /** The SCIM client's id for the user. */
  externalId!: string | null;
  /** SCIM attributes without a column of their own (see server/scim/user-resource.ts). */
  scimAttributes!: Record<string, unknown> | null;
}
