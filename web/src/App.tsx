import { useCallback, useEffect, useState } from 'react';
import { Center, Loader } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, onUnauthorized, setCsrfToken, type Me } from './api.ts';
import { SetPassword, SignIn } from './SignIn.tsx';
import { Shell } from './Shell.tsx';

/** Who is signed in: null when nobody (a 401). */
async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api<Me>('/api/v1/me');
    setCsrfToken(me.csrf_token ?? null);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function App() {
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ['me'], queryFn: fetchMe, staleTime: Infinity });
  const [notice, setNotice] = useState<string | null>(null);
  const [setPassword, setSetPassword] = useState(
    () => new URLSearchParams(location.search).get('set_password') === '1',
  );

  const signedOut = useCallback(
    (message: string | null) => {
      setCsrfToken(null);
      setNotice(message);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      queryClient.setQueryData(['me'], null);
    },
    [queryClient],
  );
  // Any 401 (the session expired or was ended elsewhere) goes back to sign-in, keeping nothing of the last session.
  // Once signed out, the 401s of requests still in flight say nothing new: "You signed out." stays.
  useEffect(
    () =>
      onUnauthorized(() => {
        if (queryClient.getQueryData(['me'])) signedOut('Your session ended. Sign in again.');
      }),
    [signedOut, queryClient],
  );

  if (me.isPending)
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  if (!me.data?.user) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={() => {
          setNotice(null);
          void queryClient.invalidateQueries({ queryKey: ['me'] });
        }}
      />
    );
  }
  if (setPassword) {
    return (
      <SetPassword
        onDone={() => {
          history.replaceState(null, '', '/');
          setSetPassword(false);
        }}
      />
    );
  }
  return (
    <Shell
      user={me.data.user}
      onSignOut={async () => {
        await api('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
        signedOut('You signed out.');
      }}
    />
  );
}
