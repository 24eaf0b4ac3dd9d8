import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider, createTheme } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import '@mantine/core/styles.css';
import '@mantine/charts/styles.css';
import { App } from './App.tsx';

const queryClient = new QueryClient({
  defaultOptions: {
    // The event stream says when something changed; no polling, no refetch on every window focus.
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      retry: (n, err) =>
        n < 2 && !(err instanceof Error && 'status' in err && (err as { status: number }).status < 500),
    },
  },
});

const theme = createTheme({ primaryColor: 'indigo', defaultRadius: 'md' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
