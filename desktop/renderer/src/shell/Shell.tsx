import type { ReactNode } from 'react';
import { AppShell, Burger, Group, Menu, NavLink, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { NavLink as RouterLink, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import type { ScreenDef } from '../screens';
import { TenantPicker } from './TenantPicker';
import { SearchHotkey } from '../screens/find/SearchHotkey';

/** Header (tenant, who is signed in), navigation of the screens this role may use, content. */
export function Shell({ screens, headerExtra, children }: { screens: ScreenDef[]; headerExtra?: ReactNode; children: ReactNode }) {
  const [opened, { toggle }] = useDisclosure();
  const { user, signOut } = useSession();
  const location = useLocation();
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 210, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <Text fw={700}>Roster</Text>
            <TenantPicker />
          </Group>
          <Group>
            {headerExtra}
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton aria-label="Account">
                  <Text size="sm">{user?.display_name || user?.email} · {user?.role}</Text>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => void signOut()}>Sign out</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Screens">
        {screens
          .filter((s) => s.nav)
          .map((s) => {
            const Icon = s.nav!.icon;
            const target = s.path.replace(/\/:.*$/, '') || '/';
            return (
              <NavLink
                key={s.path}
                component={RouterLink}
                to={target}
                label={s.nav!.label}
                leftSection={<Icon size={18} />}
                active={target === '/' ? location.pathname === '/' : location.pathname.startsWith(target)}
              />
            );
          })}
      </AppShell.Navbar>
      <SearchHotkey />
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
