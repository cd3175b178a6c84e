import { StrictMode, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { HashRouter } from 'react-router';
import { MantineProvider } from '@mantine/core';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/charts/styles.css';
import { SessionProvider } from './auth/session';
import { App } from './App';
import { DesktopGate } from './desktop/DesktopGate';
import { theme } from './theme';

/** One cache per server: the desktop app remounts this when it switches mode or server. */
function Queries({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 5_000, refetchOnWindowFocus: false } } }));
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <ModalsProvider>
        <Notifications position="bottom-right" />
        <DesktopGate>
          <Queries>
            <HashRouter>
              <SessionProvider>
                <App />
              </SessionProvider>
            </HashRouter>
          </Queries>
        </DesktopGate>
      </ModalsProvider>
    </MantineProvider>
  </StrictMode>,
);
