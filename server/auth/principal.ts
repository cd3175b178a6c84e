import type { Role } from '../../shared/schemas/user';

/** The authenticated caller, as loaded from the database on every request. */
export interface Principal {
  kind: 'user';
  userId: string;
  tenantId: string;
  partnerId: string | null;
  role: Role;
  sessionId: string;
}
