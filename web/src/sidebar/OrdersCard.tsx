import { useState, type FormEvent } from 'react';
import { Alert, Badge, Box, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type User } from '../api.ts';
import { day, type ListPage } from '../people.ts';
import { Block, LoadedList } from './Block.tsx';

export interface Order {
  id: string;
  page_id: string;
  external_id: string;
  contact_id: string | null;
  status: string;
  currency: string;
  total: number;
  item_count: number;
  items: { sku: string; name: string | null; category: string | null; quantity: number; price: number }[];
  ordered_at: string;
}

const SHOWN = 10;

/** The shop's own status words, coloured by what they usually mean; anything else is grey. */
function statusColor(status: string): string {
  if (/cancel|refund|fail|return/.test(status)) return 'red';
  if (/deliver|complete|fulfil/.test(status)) return 'green';
  if (/ship|transit|dispatch/.test(status)) return 'teal';
  if (/paid|confirm|process/.test(status)) return 'blue';
  return 'gray';
}

export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** Roles that may change a contact (and so link an order to it): owners, admins, agents. */
const canLink = (u: User) => ['owner', 'admin', 'agent'].includes(u.role);

/**
 * The contact's orders (status, total, lines, date), newest first, and for agents a way to link one of the Page's
 * orders by its number. Its queries sit under ['contact', id], so whatever refreshes the contact refreshes them.
 */
export function OrdersCard({ contactId, pageId, user }: { contactId: string; pageId: string; user: User }) {
  const orders = useQuery({
    queryKey: ['contact', contactId, 'orders'],
    queryFn: () => api<ListPage<Order>>(`/api/v1/contacts/${encodeURIComponent(contactId)}/orders?limit=${SHOWN}`),
  });
  return (
    <Block title="Orders">
      <Stack gap="xs">
        <LoadedList query={orders} empty="No orders yet.">
          {(list) => (
            <Stack
              gap={6}
              component="ul"
              aria-label="Orders of this person"
              style={{ listStyle: 'none', padding: 0, margin: 0 }}
            >
              {list.map((o) => (
                <OrderItem key={o.id} order={o} />
              ))}
            </Stack>
          )}
        </LoadedList>
        {orders.data?.next_cursor && (
          <Text size="xs" c="dimmed">
            The {SHOWN} most recent are shown.
          </Text>
        )}
        {canLink(user) && <LinkOrder contactId={contactId} pageId={pageId} />}
      </Stack>
    </Block>
  );
}

function OrderItem({ order }: { order: Order }) {
  return (
    <Paper component="li" withBorder radius="sm" p={8} aria-label={`Order ${order.external_id}`}>
      <Group justify="space-between" gap={6} wrap="nowrap">
        <Text size="sm" fw={600} style={{ wordBreak: 'break-all' }}>
          #{order.external_id}
        </Text>
        <Badge size="sm" variant="light" color={statusColor(order.status)}>
          {order.status}
        </Badge>
      </Group>
      <Group justify="space-between" gap={6}>
        <Text size="sm">{money(order.total, order.currency)}</Text>
        <Text size="xs" c="dimmed">
          {day(order.ordered_at)}
        </Text>
      </Group>
      <Box component="ul" style={{ margin: '4px 0 0', paddingLeft: 16 }}>
        {order.items.map((i, n) => (
          <Text component="li" size="xs" key={n}>
            {i.quantity} × {i.name ?? i.sku}
          </Text>
        ))}
      </Box>
    </Paper>
  );
}

/** Finds the Page's order by the number the person gives in the chat, and links it to this contact. */
function LinkOrder({ contactId, pageId }: { contactId: string; pageId: string }) {
  const queryClient = useQueryClient();
  const [number, setNumber] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const link = useMutation({
    mutationFn: async (externalId: string) => {
      const found = await api<ListPage<Order>>(
        `/api/v1/pages/${encodeURIComponent(pageId)}/orders?external_id=${encodeURIComponent(externalId)}`,
      );
      const order = found.data[0];
      if (!order) throw new Error(`No order #${externalId} on this Page.`);
      if (order.contact_id === contactId) return order;
      if (order.contact_id !== null) throw new Error(`Order #${externalId} belongs to another contact.`);
      return api<Order>(`/api/v1/orders/${encodeURIComponent(order.id)}/link`, {
        method: 'POST',
        body: { contact_id: contactId },
      });
    },
    onSuccess: (order) => {
      setNumber('');
      setDone(`Order #${order.external_id} is linked.`);
      void queryClient.invalidateQueries({ queryKey: ['contact', contactId] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = number.trim();
    if (v === '') return;
    setDone(null);
    link.mutate(v);
  };
  return (
    <form onSubmit={submit} aria-label="Link an order">
      <Group gap={6} align="flex-end" wrap="nowrap">
        <TextInput
          size="xs"
          label="Link an order"
          placeholder="Order number"
          value={number}
          onChange={(e) => setNumber(e.currentTarget.value)}
          style={{ flex: 1 }}
          autoComplete="off"
        />
        <Button size="xs" type="submit" variant="default" loading={link.isPending} disabled={number.trim() === ''}>
          Link
        </Button>
      </Group>
      {link.isError && (
        <Alert color="red" p={6} mt={6} role="alert">
          <Text size="xs">{link.error.message}</Text>
        </Alert>
      )}
      {done && (
        <Text size="xs" c="green.8" mt={4} role="status">
          {done}
        </Text>
      )}
    </form>
  );
}
