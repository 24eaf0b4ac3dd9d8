import { useState } from 'react';
import {
  Badge,
  Button,
  Checkbox,
  Group,
  Menu,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, OneTimeSecret, PanelHeader, ResponsiveTable, ROLE_HELP, useConfirm, when } from './shared.tsx';

interface Member {
  id: string;
  email: string;
  role: string;
  pages: string[] | null;
  status: 'active' | 'locked' | 'disabled' | 'invited';
  created_at: string;
}

const STATUS: Record<Member['status'], { color: string; label: string }> = {
  active: { color: 'green', label: 'Active' },
  invited: { color: 'blue', label: 'Invited' },
  locked: { color: 'orange', label: 'Locked for a while' },
  disabled: { color: 'gray', label: 'Disabled' },
};

/** People who sign in: add them (a one-time sign-in link), change their role, send a new link, disable them. */
export function TeamPanel({ user, pages, narrow }: ScreenProps) {
  const queryClient = useQueryClient();
  const members = useQuery({
    queryKey: ['settings', 'users'],
    queryFn: () => api<{ data: Member[] }>('/api/v1/users?limit=200'),
  });
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);
  const [editPages, setEditPages] = useState<Member | null>(null);
  const { confirm, modal } = useConfirm();
  const pageName = (id: string) => pages.find((p) => p.id === id)?.name ?? id;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['settings', 'users'] });
  const act = useMutation({
    mutationFn: async (a: {
      member: Member;
      what: 'link' | 'disable' | 'role' | 'pages';
      role?: string;
      pages?: string[];
    }) => {
      if (a.what === 'role' || a.what === 'pages') {
        const body = a.what === 'role' ? { role: a.role } : { pages: a.pages };
        await api(`/api/v1/users/${a.member.id}`, { method: 'PATCH', body });
        return null;
      }
      if (a.what === 'disable') {
        await api(`/api/v1/users/${a.member.id}/disable`, { method: 'POST' });
        return null;
      }
      return (await api<{ login_url: string }>(`/api/v1/users/${a.member.id}/login-link`, { method: 'POST' }))
        .login_url;
    },
    onSuccess: async (url, a) => {
      if (url) setLink({ email: a.member.email, url });
      await refresh();
    },
  });
  const rolesICanGive = Object.keys(ROLE_HELP).filter((r) => r !== 'owner' || user.role === 'owner');
  // What the signed-in person may do to a member: never to themselves, an admin never to an owner.
  const mayAct = (m: Member) => m.id !== user.id && (m.role !== 'owner' || user.role === 'owner');

  return (
    <>
      <PanelHeader title="Team members">
        The people who sign in to pagescope. A new member gets a one-time sign-in link (valid 24 hours) through which
        they set their password.
      </PanelHeader>
      <Stack gap="md">
        {link && (
          <OneTimeSecret
            title={`Sign-in link for ${link.email}`}
            label="One-time sign-in link"
            value={link.url}
            onDone={() => setLink(null)}
          />
        )}
        <AddMember
          rolesICanGive={rolesICanGive}
          pages={pages}
          limitedTo={user.pages}
          onAdded={async (email, url) => {
            setLink({ email, url });
            await refresh();
          }}
        />
        <ErrorNote error={members.error ?? act.error} />
        <ResponsiveTable
          label="Team members"
          rows={members.data?.data ?? []}
          narrow={narrow}
          rowKey={(m) => m.id}
          columns={[
            {
              header: 'Email',
              cell: (m) => (
                <>
                  <Text size="sm" fw={narrow ? 600 : undefined}>
                    {m.email}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {m.id === user.id ? 'you · ' : ''}added {when(m.created_at)}
                  </Text>
                </>
              ),
            },
            {
              header: 'Role',
              cell: (m) =>
                mayAct(m) && m.status !== 'disabled' ? (
                  <Select
                    size="xs"
                    w={120}
                    aria-label={`Role of ${m.email}`}
                    data={rolesICanGive}
                    value={m.role}
                    allowDeselect={false}
                    onChange={(role) => role && role !== m.role && act.mutate({ member: m, what: 'role', role })}
                  />
                ) : (
                  <Text size="sm">{m.role}</Text>
                ),
            },
            {
              header: 'Pages',
              cell: (m) => <Text size="sm">{m.pages ? m.pages.map(pageName).join(', ') : 'Every Page'}</Text>,
            },
            {
              header: 'Status',
              cell: (m) => (
                <Badge variant="light" color={STATUS[m.status].color}>
                  {STATUS[m.status].label}
                </Badge>
              ),
            },
            {
              header: 'Actions',
              hiddenHeader: true,
              cell: (m) =>
                mayAct(m) &&
                m.status !== 'disabled' && (
                  <Menu position="bottom-end">
                    <Menu.Target>
                      <Button size="xs" variant="default" aria-label={`Actions for ${m.email}`}>
                        {narrow ? 'More…' : '…'}
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item onClick={() => act.mutate({ member: m, what: 'link' })}>New sign-in link</Menu.Item>
                      <Menu.Item onClick={() => setEditPages(m)}>Change Pages…</Menu.Item>
                      <Menu.Item
                        color="red"
                        onClick={() =>
                          confirm({
                            title: `Disable ${m.email}?`,
                            text: 'They are signed out at once and can no longer sign in. Their history stays.',
                            action: 'Disable',
                            run: () => act.mutate({ member: m, what: 'disable' }),
                          })
                        }
                      >
                        Disable
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                ),
            },
          ]}
        />
      </Stack>
      {modal}
      <Modal
        opened={editPages !== null}
        onClose={() => setEditPages(null)}
        title={editPages ? `Pages of ${editPages.email}` : ''}
        centered
      >
        {editPages && (
          <MemberPages
            member={editPages}
            pages={pages}
            onSave={(chosen) => {
              act.mutate({ member: editPages, what: 'pages', pages: chosen });
              setEditPages(null);
            }}
            onCancel={() => setEditPages(null)}
          />
        )}
      </Modal>
    </>
  );
}

function MemberPages({
  member,
  pages,
  onSave,
  onCancel,
}: {
  member: Member;
  pages: ScreenProps['pages'];
  onSave: (pages: string[]) => void;
  onCancel: () => void;
}) {
  const [chosen, setChosen] = useState<string[]>(member.pages ?? []);
  return (
    <Stack
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(chosen);
      }}
    >
      <Checkbox.Group label="Pages" description="None ticked: every Page." value={chosen} onChange={setChosen}>
        <Stack gap="xs" mt="xs">
          {pages.map((p) => (
            <Checkbox key={p.id} value={p.id} label={p.name} />
          ))}
        </Stack>
      </Checkbox.Group>
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit">Save Pages</Button>
      </Group>
    </Stack>
  );
}

function AddMember({
  rolesICanGive,
  pages,
  limitedTo,
  onAdded,
}: {
  rolesICanGive: string[];
  pages: ScreenProps['pages'];
  limitedTo: string[] | null;
  onAdded: (email: string, url: string) => Promise<void>;
}) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>('agent');
  const [memberPages, setMemberPages] = useState<string[]>(limitedTo ?? []);
  const add = useMutation({
    mutationFn: () =>
      api<{ email: string; login_url: string }>('/api/v1/users', {
        method: 'POST',
        body: { email: email.trim(), role, pages: memberPages },
      }),
    onSuccess: async (r) => {
      setEmail('');
      await onAdded(r.email, r.login_url);
    },
  });
  return (
    <Stack
      component="form"
      gap="xs"
      aria-label="Add a team member"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <Group align="end" gap="xs" wrap="wrap">
        <TextInput
          label="Email"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          style={{ flex: '1 1 220px' }}
        />
        <Select
          label="Role"
          data={rolesICanGive.map((r) => ({ value: r, label: r }))}
          value={role}
          onChange={(v) => v && setRole(v)}
          allowDeselect={false}
          w={140}
        />
        <MultiSelect
          label="Pages"
          placeholder={memberPages.length ? undefined : 'Every Page'}
          data={pages.map((p) => ({ value: p.id, label: p.name }))}
          value={memberPages}
          onChange={setMemberPages}
          clearable
          style={{ flex: '1 1 220px' }}
        />
        <Button type="submit" loading={add.isPending}>
          Add member
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        {ROLE_HELP[role]}
      </Text>
      <ErrorNote error={add.error} />
    </Stack>
  );
}
