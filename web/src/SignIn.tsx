import { useState, type FormEvent } from 'react';
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { api, ApiError } from './api.ts';

export function SignIn({ onSignedIn, notice }: { onSignedIn: () => void; notice: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/auth/login', { method: 'POST', body: { email, password } });
      onSignedIn();
    } catch (err) {
      // One message for every refusal, as the server gives one answer: it never tells which part was wrong.
      setError(
        err instanceof ApiError && err.code === 'too_many_attempts'
          ? 'Too many attempts from here. Wait a minute and try again.'
          : 'That email and password do not match an active account.',
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" bg="gray.0">
      <Paper component="main" withBorder shadow="sm" p="xl" w={380}>
        <form onSubmit={submit} aria-label="Sign in">
          <Stack>
            <div>
              <Title order={1} size="h3">
                pagescope
              </Title>
              <Text c="dimmed" size="sm">
                Sign in to the inbox
              </Text>
            </div>
            {notice && (
              <Alert color="yellow" role="status">
                {notice}
              </Alert>
            )}
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              visibilityToggleButtonProps={{ 'aria-label': 'Show the password' }}
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
            <Text size="xs" c="dimmed">
              No password yet? Ask an owner for a sign-in link (<code>pagescope users link</code>).
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

export function SetPassword({ onDone }: { onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/auth/password', { method: 'POST', body: { new_password: password } });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The password could not be set.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" bg="gray.0">
      <Paper component="main" withBorder shadow="sm" p="xl" w={380}>
        <form onSubmit={submit} aria-label="Set your password">
          <Stack>
            <Title order={1} size="h3">
              Set your password
            </Title>
            <Text size="sm" c="dimmed">
              At least 12 characters, and not your email. You will sign in with it next time.
            </Text>
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <PasswordInput
              label="New password"
              visibilityToggleButtonProps={{ 'aria-label': 'Show the password' }}
              autoComplete="new-password"
              required
              minLength={12}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={busy}>
              Set password
            </Button>
            <Button variant="subtle" onClick={onDone}>
              Later
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
