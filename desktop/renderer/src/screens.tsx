import type { ComponentType, ReactNode } from 'react';
import type { Permission } from '../../../shared/permissions';

export interface ScreenDef {
  /** Route path under the hash router, e.g. `/users/:id`. */
  path: string;
  element: ReactNode;
  /** Shown in the navigation bar when set. */
  nav?: { label: string; icon: ComponentType<{ size?: number | string }> };
  /** The permission a role needs to see the screen; the app hides it from everybody else. */
  permission?: Permission;
  /** For super and partner admins only (tenants, partners). */
  crossTenant?: boolean;
}

/**
 * Every screen of the admin app, in navigation order. The first visible one with `nav` is
 * home. Each screen lives in its own folder under screens/ and registers itself here.
 */
export const screens: ScreenDef[] = [];
