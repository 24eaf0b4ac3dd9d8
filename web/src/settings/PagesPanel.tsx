import { useState } from 'react';
import { Badge, Button, Card, Code, Group, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, managesSettings, PanelHeader, when } from './shared.tsx';
import { MarketingMessages } from './MarketingMessages.tsx';

interface PageState {
  id: string;
  name: string;
  status: 'active' | 'token_invalid' | 'disabled';
  token_invalid_since: string | null;
  updated_at: string;
}

const STATE: Record<PageState['status'], { color: string; label: string }> = {
  active: { color: 'green', label: 'Token working' },
  token_invalid: { color: 'red', label: 'Token invalid' },
  disabled: { color: 'gray', label: 'Disabled' },
};

/** The Pages the person may see, each with its Page access token's state in words, and what to do about it. */
export function PagesPanel({ user }: ScreenProps) {
  const pages = useQuery({
    queryKey: ['settings', 'pages'],
    queryFn: () => api<{ data: PageState[] }>('/api/v1/pages?limit=200'),
  });
  const manager = managesSettings(user.role);
  return (
    <>
      <PanelHeader title="Pages">
        Each Facebook Page pagescope answers for, and whether Meta accepts its Page access token. When Meta rejects a
        token, replies to that Page wait until a new token is added.
      </PanelHeader>
      <ErrorNote error={pages.error} />
      <Stack>
        {pages.data?.data.map((p) => (
          <PageCard key={p.id} page={p} manager={manager} />
        ))}
        {pages.data?.data.length === 0 && <Text c="dimmed">No Pages yet.</Text>}
      </Stack>
      {manager && (
        <Text size="sm" c="dimmed" mt="lg">
          To add a Page, run{' '}
          <Code>pagescope pages add --id PAGE_ID --name &quot;Name&quot; --token - &lt; token.txt</Code> on the server
          (it checks the token with Meta first).
        </Text>
      )}
    </>
  );
}

function PageCard({ page, manager }: { page: PageState; manager: boolean }) {
  const [replacing, setReplacing] = useState(false);
  const s = STATE[page.status];
  const verify = `pagescope pages verify ${page.id}`;
  const replace = `pagescope pages add --id ${page.id} --name "${page.name}" --token - < token.txt`;
  return (
    <Card withBorder padding="md" role="region" aria-label={`Page ${page.name}`}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <div>
          <Text fw={600}>{page.name}</Text>
          <Text size="xs" c="dimmed">
            Page id {page.id}
          </Text>
        </div>
        <Badge color={s.color} variant="light" size="lg" tt="none">
          {page.status === 'token_invalid' && page.token_invalid_since
            ? `Token invalid since ${when(page.token_invalid_since)}`
            : s.label}
        </Badge>
      </Group>
      <Stack gap={6} mt="sm">
        {page.status === 'token_invalid' ? (
          <>
            <Text size="sm">
              Meta rejected this Page&apos;s access token (expired, revoked, or the password of its admin changed).
              Replies and other sends to this Page wait until a new token is added; nothing is lost.
            </Text>
            {manager ? (
              <Text size="sm">
                Get a new Page access token in Meta&apos;s developer tools, then replace it below, or run{' '}
                <Code>{replace}</Code>
              </Text>
            ) : (
              <Text size="sm" fw={500}>
                Ask an owner or admin to add a new token.
              </Text>
            )}
          </>
        ) : page.status === 'disabled' ? (
          <Text size="sm">This Page is disabled: pagescope neither receives nor sends for it.</Text>
        ) : (
          <Text size="sm" c="dimmed">
            Meta has not rejected the token. pagescope learns that a token expired when Meta refuses it
            {manager ? (
              <>
                ; to check it now, run <Code>{verify}</Code>
              </>
            ) : (
              '.'
            )}
          </Text>
        )}
      </Stack>
      <MarketingMessages pageId={page.id} pageName={page.name} manager={manager} />
      {manager &&
        (replacing ? (
          <ReplaceToken page={page} onDone={() => setReplacing(false)} />
        ) : (
          <Group mt="sm">
            <Button
              size="xs"
              variant={page.status === 'token_invalid' ? 'filled' : 'default'}
              onClick={() => setReplacing(true)}
            >
              Replace token or rename
            </Button>
          </Group>
        ))}
    </Card>
  );
}

function ReplaceToken({ page, onDone }: { page: PageState; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(page.name);
  const [token, setToken] = useState('');
  const save = useMutation({
    mutationFn: () =>
      api('/api/v1/pages', { method: 'POST', body: { id: page.id, name: name.trim(), access_token: token.trim() } }),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['settings', 'pages'] }),
        queryClient.invalidateQueries({ queryKey: ['pages'] }),
      ]);
      onDone();
    },
  });
  return (
    <Stack
      component="form"
      gap="xs"
      mt="sm"
      aria-label={`New token for ${page.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <TextInput label="Page name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
      <PasswordInput
        label="Page access token"
        description="Stored encrypted; a Page access token must be given again even to rename the Page."
        value={token}
        onChange={(e) => setToken(e.currentTarget.value)}
        required
        autoComplete="off"
      />
      <Text size="xs" c="dimmed">
        This form does not check the token with Meta: run <Code>pagescope pages verify {page.id}</Code> afterwards.
      </Text>
      <ErrorNote error={save.error} />
      <Group>
        <Button type="submit" size="xs" loading={save.isPending}>
          Save
        </Button>
        <Button size="xs" variant="subtle" onClick={onDone}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
