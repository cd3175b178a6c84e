import { Center, Loader } from '@mantine/core';
import { Navigate, Route, Routes } from 'react-router';
import { useSession } from './auth/session';
import { LoginScreen } from './auth/LoginScreen';
import { Shell } from './shell/Shell';
import { screens } from './screens';
import { SwitchModeButton } from './desktop/DesktopGate';

/** Signed out: the sign-in form. Signed in: the screens this role may use, nothing else. */
export function App() {
  const session = useSession();
  if (session.status === 'loading') {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (session.status === 'signed-out') return <LoginScreen />;
  const crossTenant = session.user?.role === 'super_admin' || session.user?.role === 'partner_admin';
  const allowed = screens.filter((s) => (!s.permission || session.can(s.permission)) && (!s.crossTenant || crossTenant));
  const home = allowed.find((s) => s.nav);
  return (
    <Shell screens={allowed} headerExtra={<SwitchModeButton />}>
      <Routes>
        {allowed.map((s) => (
          <Route key={s.path} path={s.path} element={s.element} />
        ))}
        <Route path="*" element={home && home.path !== '/' ? <Navigate to={home.path} replace /> : null} />
      </Routes>
    </Shell>
  );
}
