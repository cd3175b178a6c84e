import type { Permission } from '../../../../../shared/permissions';
import { STATUS_TRANSITIONS, type Role, type UserStatus } from '../../../../../shared/schemas/user';
import { outranksOrEquals } from '../../components/roles';

export type StatusActionId = 'enable' | 'disable' | 'lock' | 'unlock';

export interface StatusAction {
  id: StatusActionId;
  label: string;
  /** The status the user ends in. */
  to: UserStatus;
  color: string;
  /**
   * `status`: PUT .../status with a reason and "sign out everywhere"; `unlock`: the admin unlock
   * route, for a role that may unlock but not change status (it takes neither option).
   */
  via: 'status' | 'unlock';
  /** What the confirmation says happens. */
  explain: string;
}

/** The server's own state machine, from shared/. */
export { STATUS_TRANSITIONS };

export interface Viewer {
  role: Role;
  userId: string;
  can(permission: Permission): boolean;
}

export interface Target {
  id: string;
  role: Role;
  status: UserStatus;
}

/** Whether the viewer may act on the target at all: never on itself, never above its own rank. */
export const mayActOn = (viewer: Viewer, target: Target) => viewer.userId !== target.id && outranksOrEquals(viewer.role, target.role);

/**
 * The status actions to offer for `target`: those the state machine allows from its status and
 * the viewer's permissions hold, so a click never meets a 409 or a 403.
 */
export function statusActions(viewer: Viewer, target: Target): StatusAction[] {
  if (!mayActOn(viewer, target)) return [];
  const next = STATUS_TRANSITIONS[target.status];
  const byStatus = viewer.can('users:status');
  const actions: StatusAction[] = [];
  if (target.status === 'LOCKED' && next.includes('ACTIVE') && viewer.can('users:unlock')) {
    actions.push({ id: 'unlock', label: 'Unlock', to: 'ACTIVE', color: 'green', via: byStatus ? 'status' : 'unlock', explain: 'The account becomes active again and its failed sign-ins are forgotten.' });
  }
  if (target.status !== 'LOCKED' && next.includes('ACTIVE') && byStatus) {
    actions.push({ id: 'enable', label: 'Enable', to: 'ACTIVE', color: 'green', via: 'status', explain: 'The user can sign in again.' });
  }
  if (next.includes('LOCKED') && byStatus) {
    actions.push({ id: 'lock', label: 'Lock', to: 'LOCKED', color: 'orange', via: 'status', explain: 'The user cannot sign in until someone unlocks the account.' });
  }
  if (next.includes('DISABLED') && byStatus) {
    actions.push({ id: 'disable', label: 'Disable', to: 'DISABLED', color: 'red', via: 'status', explain: 'The user cannot sign in until the account is enabled again.' });
  }
  return actions;
}
