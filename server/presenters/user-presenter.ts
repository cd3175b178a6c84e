import type { UserListItem, UserResponse } from '../../shared/schemas/user';
import { bool, iso, json } from './values';

/** A users row (camelCase keys) with `ouPath` joined in; never carries secrets onto the wire. */
export interface UserRow {
  id: string;
  tenantId: string;
  email: string;
  emailVerified: unknown;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  phone: string | null;
  locale: string;
  timezone: string;
  avatarUrl: string | null;
  company: string | null;
  jobTitle: string | null;
  ouId: string | null;
  ouPath?: string | null;
  status: UserResponse['status'];
  identitySource: UserResponse['identity_source'];
  mfaEnabled: unknown;
  customAttributes: unknown;
  metadata: unknown;
  role: UserResponse['role'];
  isInternal: unknown;
  isOnboarded: unknown;
  passwordExpired: unknown;
  requirePasswordChange: unknown;
  version: number;
  createdAt: unknown;
  updatedAt: unknown;
  lastLoginAt: unknown;
  passwordChangedAt: unknown;
  deletedAt: unknown;
}

export interface UserIncludes {
  groups?: UserResponse['groups'];
  identities?: UserResponse['identities'];
  ou?: UserResponse['ou'];
}

export function presentUser(u: UserRow, includes: UserIncludes = {}): UserResponse {
  return {
    id: u.id,
    tenant_id: u.tenantId,
    email: u.email,
    email_verified: bool(u.emailVerified),
    username: u.username ?? null,
    first_name: u.firstName ?? null,
    last_name: u.lastName ?? null,
    display_name: u.displayName ?? null,
    phone: u.phone ?? null,
    locale: u.locale,
    timezone: u.timezone,
    avatar_url: u.avatarUrl ?? null,
    company: u.company ?? null,
    job_title: u.jobTitle ?? null,
    ou_id: u.ouId ?? null,
    ou_path: u.ouPath ?? null,
    status: u.status,
    is_active: u.status === 'ACTIVE',
    identity_source: u.identitySource,
    mfa_enabled: bool(u.mfaEnabled),
    ...includes,
    custom_attributes: json(u.customAttributes) ?? {},
    metadata: json(u.metadata) ?? {},
    role: u.role,
    is_internal: bool(u.isInternal),
    is_onboarded: bool(u.isOnboarded),
    password_expired: bool(u.passwordExpired),
    require_password_change: bool(u.requirePasswordChange),
    version: Number(u.version),
    created_at: iso(u.createdAt)!,
    updated_at: iso(u.updatedAt),
    last_login_at: iso(u.lastLoginAt),
    password_changed_at: iso(u.passwordChangedAt),
    deleted_at: iso(u.deletedAt),
  };
}

export function presentUserListItem(u: UserRow): UserListItem {
  return {
    id: u.id,
    tenant_id: u.tenantId,
    email: u.email,
    username: u.username ?? null,
    first_name: u.firstName ?? null,
    last_name: u.lastName ?? null,
    display_name: u.displayName ?? null,
    status: u.status,
    role: u.role,
    ou_id: u.ouId ?? null,
    ou_path: u.ouPath ?? null,
    identity_source: u.identitySource,
    mfa_enabled: bool(u.mfaEnabled),
    created_at: iso(u.createdAt)!,
    last_login_at: iso(u.lastLoginAt),
  };
}
