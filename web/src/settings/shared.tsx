import { useState, type ReactNode } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CopyButton,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { ApiError } from '../api.ts';

export const ROLE_HELP: Record<string, string> = {
  owner: 'Owner — everything, including other owners',
  admin: 'Admin — everything but owners’ accounts',
  agent: 'Agent — the inbox: reply, note, assign, label',
  marketer: 'Marketer — contacts and campaigns',
  analyst: 'Analyst — reads contacts and messages',
};

/** Whether the signed-in person may change settings (owners and admins); others see them read-only. */
export function managesSettings(role: string): boolean {
  return role === 'owner' || role === 'admin';
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

export function errorText(err: unknown): string {
  return err instanceof ApiError || err instanceof Error ? err.message : 'Something went wrong.';
}

/** A refused change, said where the person made it. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert" variant="light" p="xs">
      {errorText(error)}
    </Alert>
  );
}

/** A tab's heading and what it is for. */
export function PanelHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack gap={4} mb="md">
      <Title order={2} size="h3">
        {title}
      </Title>
      {children && (
        <Text size="sm" c="dimmed">
          {children}
        </Text>
      )}
    </Stack>
  );
}

/** A secret shown this once (a sign-in link, an API token), with a copy button; gone once dismissed. */
export function OneTimeSecret({
  title,
  label,
  value,
  onDone,
}: {
  title: string;
  label: string;
  value: string;
  onDone: () => void;
}) {
  return (
    <Alert color="green" variant="light" title={title} role="status" aria-label={title}>
      <Stack gap="xs">
        <Text size="sm">Copy it now: it is shown this once, and only a hash of it is kept.</Text>
        <Group gap="xs" wrap="nowrap" align="end">
          <TextInput label={label} value={value} readOnly style={{ flex: 1 }} onFocus={(e) => e.target.select()} />
          <CopyButton value={value}>
            {({ copied, copy }) => (
              <Button variant={copied ? 'filled' : 'default'} color={copied ? 'teal' : undefined} onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Group>
          <Button size="xs" variant="subtle" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

/** Asks once before a change that cannot be undone. */
export function useConfirm() {
  const [ask, setAsk] = useState<{ title: string; text: string; action: string; run: () => void } | null>(null);
  const modal = (
    <Modal opened={ask !== null} onClose={() => setAsk(null)} title={ask?.title} centered>
      <Stack>
        <Text size="sm">{ask?.text}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setAsk(null)}>
            Cancel
          </Button>
          <Button
            color="red"
            onClick={() => {
              ask?.run();
              setAsk(null);
            }}
          >
            {ask?.action}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
  return { confirm: setAsk, modal };
}

export interface Column<T> {
  header: string;
  /** Said to screen readers only (an actions column). */
  hiddenHeader?: boolean;
  cell: (row: T) => ReactNode;
}

/** A table on a wide screen; on a phone, one card per row (no sideways scrolling to reach a row's actions). */
export function ResponsiveTable<T>({
  label,
  rows,
  columns,
  narrow,
  rowKey,
}: {
  label: string;
  rows: T[];
  columns: Column<T>[];
  narrow: boolean;
  rowKey: (row: T) => string;
}) {
  if (narrow)
    return (
      <Stack component="ul" aria-label={label} gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
        {rows.map((r) => (
          <Card component="li" key={rowKey(r)} withBorder padding="sm">
            <Stack gap={8}>
              {columns.map((c, i) => (
                <Group key={c.header} justify="space-between" wrap="nowrap" gap="xs" align="center">
                  {i > 0 && !c.hiddenHeader && (
                    <Text size="xs" c="dimmed">
                      {c.header}
                    </Text>
                  )}
                  <Box style={{ minWidth: 0, textAlign: i > 0 && !c.hiddenHeader ? 'right' : undefined }}>
                    {c.cell(r)}
                  </Box>
                </Group>
              ))}
            </Stack>
          </Card>
        ))}
      </Stack>
    );
  return (
    <Table verticalSpacing="xs" aria-label={label}>
      <Table.Thead>
        <Table.Tr>
          {columns.map((c) => (
            <Table.Th key={c.header}>
              {c.hiddenHeader ? <VisuallyHidden>{c.header}</VisuallyHidden> : c.header}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={rowKey(r)}>
            {columns.map((c) => (
              <Table.Td key={c.header}>{c.cell(r)}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
