import type { Role } from '../../shared/schemas/user';

interface PrincipalBase {
  tenantId: string;
  partnerId: string | null;
}

/** A signed-in person, loaded from its session on every request. */
export interface UserPrincipal extends PrincipalBase {
  kind: 'user';
  userId: string;
  role: Role;
  sessionId: string;
  /** Signed in without the MFA its tenant requires: only MFA enrolment is open to it. */
  mfaEnrollmentOnly?: boolean;
}

/** An application holding a client-credentials token: reads the users assigned to it. */
export interface ApplicationPrincipal extends PrincipalBase {
  kind: 'application';
  applicationId: string;
  scopes: string[];
}

/** A tenant API token (integrations, SCIM clients), limited by its scopes. */
export interface ApiTokenPrincipal extends PrincipalBase {
  kind: 'api_token';
  tokenId: string;
  scopes: string[];
}

export type Principal = UserPrincipal | ApplicationPrincipal | ApiTokenPrincipal;

/** The id that stands for the caller in audit events. */
export const principalId = (p: Principal) => (p.kind === 'user' ? p.userId : p.kind === 'application' ? p.applicationId : p.tokenId);

/**
 * The role a caller's rank is measured by. Tokens and applications rank as plain users: they can
 * manage and grant nothing above `user`, so a leaked integration token cannot mint an admin.
 */
/** The role of a signed-in user; tokens and applications have none. */
export const roleOf = (p: Principal): Role | undefined => (p.kind === 'user' ? p.role : undefined);

export const rankRole = (p: Principal): Role => (p.kind === 'user' ? p.role : 'user');
