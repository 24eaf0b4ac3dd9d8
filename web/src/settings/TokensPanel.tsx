import { useState } from 'react';
import { Badge, Button, Group, MultiSelect, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, OneTimeSecret, PanelHeader, ResponsiveTable, ROLE_HELP, useConfirm, when } from './shared.tsx';

interface ApiToken {
  id: string;
  name: string;
  role: string;
  pages: string[] | null;
  status: 'active' | 'expired' | 'revoked';
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

const STATUS: Record<ApiToken['status'], string> = { active: 'green', expired: 'orange', revoked: 'gray' };

const EXPIRY = [
  { value: 'never', label: 'Never' },
  { value: '30d', label: 'In 30 days' },
  { value: '90d', label: 'In 90 days' },
  { value: '365d', label: 'In a year' },
];

/** API tokens for scripts and integrations: create one (its secret shown once), see when each was used, revoke. */
export function TokensPanel({ user, pages, narrow }: ScreenProps) {
  const queryClient = useQueryClient();
  const tokens = useQuery({
    queryKey: ['settings', 'tokens'],
    queryFn: () => api<{ data: ApiToken[] }>('/api/v1/tokens?limit=200'),
  });
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const { confirm, modal } = useConfirm();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['settings', 'tokens'] });
  const revoke = useMutation({
    mutationFn: (t: ApiToken) => api(`/api/v1/tokens/${t.id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  const pageName = (id: string) => pages.find((p) => p.id === id)?.name ?? id;
  const rows = (tokens.data?.data ?? [])
    .slice()
    .sort((a, b) => Number(a.status !== 'active') - Number(b.status !== 'active'));

  return (
    <>
      <PanelHeader title="API tokens">
        Tokens let scripts and other systems use the pagescope API with a role and, if you choose, only some Pages. Send
        one as <code>Authorization: Bearer …</code>.
      </PanelHeader>
      <Stack gap="md">
        {secret && (
          <OneTimeSecret
            title={`Token ${secret.name} created`}
            label="API token"
            value={secret.token}
            onDone={() => setSecret(null)}
          />
        )}
        <CreateToken
          pages={pages}
          limitedTo={user.pages}
          canGiveOwner={user.role === 'owner'}
          onCreated={async (name, token) => {
            setSecret({ name, token });
            await refresh();
          }}
        />
        <ErrorNote error={tokens.error ?? revoke.error} />
        <ResponsiveTable
          label="API tokens"
          rows={rows}
          narrow={narrow}
          rowKey={(t) => t.id}
          columns={[
            {
              header: 'Name',
              cell: (t) => (
                <>
                  <Text size="sm" fw={narrow ? 600 : undefined}>
                    {t.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    created {when(t.created_at)}
                    {t.expires_at && t.status === 'active' ? ` · expires ${when(t.expires_at)}` : ''}
                  </Text>
                </>
              ),
            },
            { header: 'Role', cell: (t) => <Text size="sm">{t.role}</Text> },
            {
              header: 'Pages',
              cell: (t) => <Text size="sm">{t.pages ? t.pages.map(pageName).join(', ') : 'Every Page'}</Text>,
            },
            {
              header: 'Last used',
              cell: (t) => <Text size="sm">{t.last_used_at ? when(t.last_used_at) : 'Never'}</Text>,
            },
            {
              header: 'Status',
              cell: (t) => (
                <Badge variant="light" color={STATUS[t.status]}>
                  {t.status}
                </Badge>
              ),
            },
            {
              header: 'Actions',
              hiddenHeader: true,
              cell: (t) =>
                t.status === 'active' && (
                  <Button
                    size="xs"
                    variant="default"
                    color="red"
                    aria-label={`Revoke ${t.name}`}
                    onClick={() =>
                      confirm({
                        title: `Revoke ${t.name}?`,
                        text: 'Whatever uses this token is refused from now on. This cannot be undone.',
                        action: 'Revoke token',
                        run: () => revoke.mutate(t),
                      })
                    }
                  >
                    Revoke
                  </Button>
                ),
            },
          ]}
        />
      </Stack>
      {modal}
    </>
  );
}

function CreateToken({
  pages,
  limitedTo,
  canGiveOwner,
  onCreated,
}: {
  pages: ScreenProps['pages'];
  limitedTo: string[] | null;
  canGiveOwner: boolean;
  onCreated: (name: string, token: string) => Promise<void>;
}) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('agent');
  const [tokenPages, setTokenPages] = useState<string[]>(limitedTo ?? []);
  const [expiry, setExpiry] = useState('never');
  const create = useMutation({
    mutationFn: () =>
      api<{ name: string; token: string }>('/api/v1/tokens', {
        method: 'POST',
        body: { name: name.trim(), role, pages: tokenPages, ...(expiry !== 'never' ? { expires_in: expiry } : {}) },
      }),
    onSuccess: async (r) => {
      setName('');
      await onCreated(r.name, r.token);
    },
  });
  return (
    <Stack
      component="form"
      gap="xs"
      aria-label="Create an API token"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <Group align="end" gap="xs" wrap="wrap">
        <TextInput
          label="Token name"
          placeholder="What uses it, e.g. CRM sync"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          style={{ flex: '1 1 200px' }}
        />
        <Select
          label="Role"
          data={Object.keys(ROLE_HELP).filter((r) => r !== 'owner' || canGiveOwner)}
          value={role}
          onChange={(v) => v && setRole(v)}
          allowDeselect={false}
          w={130}
        />
        <MultiSelect
          label="Pages"
          placeholder={tokenPages.length ? undefined : 'Every Page'}
          data={pages.map((p) => ({ value: p.id, label: p.name }))}
          value={tokenPages}
          onChange={setTokenPages}
          clearable
          style={{ flex: '1 1 180px' }}
        />
        <Select
          label="Expires"
          data={EXPIRY}
          value={expiry}
          onChange={(v) => v && setExpiry(v)}
          allowDeselect={false}
          w={130}
        />
        <Button type="submit" loading={create.isPending}>
          Create token
        </Button>
      </Group>
      <ErrorNote error={create.error} />
    </Stack>
  );
}
