import type { ComponentType, ReactNode } from 'react';
import { IconApps, IconBuilding, IconBuildingCommunity, IconHierarchy2, IconKey, IconUsersGroup } from '@tabler/icons-react';
import type { Permission } from '../../../shared/permissions';
import { IconSearch } from '@tabler/icons-react';
import { FindScreen } from './screens/find/FindScreen';
import { UserScreen } from './screens/user/UserScreen';
import { CreateUserScreen } from './screens/create-user/CreateUserScreen';
import { IconChartDonut, IconFileImport, IconGitMerge, IconListSearch } from '@tabler/icons-react';
import { DashboardScreen } from './screens/dashboard/DashboardScreen';
import { ImportScreen } from './screens/import/ImportScreen';
import { MergeScreen } from './screens/merge/MergeScreen';
import { AuditScreen } from './screens/audit/AuditScreen';
import { GroupsScreen } from './screens/directory/GroupsScreen';
import { OuTreeScreen } from './screens/directory/OuTreeScreen';
import { TenantsScreen } from './screens/directory/TenantsScreen';
import { PartnersScreen } from './screens/directory/PartnersScreen';
import { ApiTokensScreen } from './screens/directory/ApiTokensScreen';
import { ApplicationsScreen } from './screens/directory/ApplicationsScreen';

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
export const screens: ScreenDef[] = [
  // Find first: it is home, where `/` lands.
  { path: '/users', element: <FindScreen />, nav: { label: 'Find users', icon: IconSearch }, permission: 'users:read' },
  { path: '/users/new', element: <CreateUserScreen />, permission: 'users:create' },
  { path: '/users/:id', element: <UserScreen />, permission: 'users:read' },
  { path: '/dashboard', element: <DashboardScreen />, nav: { label: 'Dashboard', icon: IconChartDonut }, permission: 'audit:read' },
  { path: '/import', element: <ImportScreen />, nav: { label: 'Import', icon: IconFileImport }, permission: 'users:import' },
  { path: '/merge', element: <MergeScreen />, nav: { label: 'Merge', icon: IconGitMerge }, permission: 'users:merge' },
  { path: '/audit', element: <AuditScreen />, nav: { label: 'Audit log', icon: IconListSearch }, permission: 'audit:read' },
  // Directory structure and administration.
  { path: '/groups', element: <GroupsScreen />, nav: { label: 'Groups', icon: IconUsersGroup }, permission: 'groups:read' },
  { path: '/ous', element: <OuTreeScreen />, nav: { label: 'Org units', icon: IconHierarchy2 }, permission: 'ous:read' },
  { path: '/applications', element: <ApplicationsScreen />, nav: { label: 'Applications', icon: IconApps }, permission: 'applications:read' },
  { path: '/api-tokens', element: <ApiTokensScreen />, nav: { label: 'API tokens', icon: IconKey }, permission: 'api_tokens:read' },
  { path: '/tenants', element: <TenantsScreen />, nav: { label: 'Tenants', icon: IconBuilding }, permission: 'tenants:read', crossTenant: true },
  { path: '/partners', element: <PartnersScreen />, nav: { label: 'Partners', icon: IconBuildingCommunity }, permission: 'partners:read', crossTenant: true },
];
