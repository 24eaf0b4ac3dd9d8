import { useEffect, useState } from 'react';
import { Badge, Button, Group, NumberInput, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { ErrorNote, when } from './shared.tsx';

interface MarketingSetting {
  page_id: string;
  enabled: boolean;
  ad_account_id: string | null;
  daily_budget: number | null;
  permission_checked_at: string | null;
}

/**
 * A Page's switch for Meta's paid Marketing Messages, explained in plain words: off unless turned on, and turned on
 * only while Meta says the Page's token has the permission.
 */
export function MarketingMessages({
  pageId,
  pageName,
  manager,
}: {
  pageId: string;
  pageName: string;
  manager: boolean;
}) {
  const queryClient = useQueryClient();
  const key = ['settings', 'marketing-messages', pageId];
  const setting = useQuery({
    queryKey: key,
    queryFn: () => api<MarketingSetting>(`/api/v1/pages/${pageId}/marketing-messages`),
  });
  const [enabled, setEnabled] = useState(false);
  const [account, setAccount] = useState('');
  const [budget, setBudget] = useState<number | string>('');
  useEffect(() => {
    if (!setting.data) return;
    setEnabled(setting.data.enabled);
    setAccount(setting.data.ad_account_id ?? '');
    setBudget(setting.data.daily_budget ?? '');
  }, [setting.data]);
  const save = useMutation({
    mutationFn: () =>
      api<MarketingSetting>(`/api/v1/pages/${pageId}/marketing-messages`, {
        method: 'PUT',
        body: {
          enabled,
          ...(account.trim() && { ad_account_id: account.trim() }),
          ...(typeof budget === 'number' && { daily_budget: budget }),
        },
      }),
    onSuccess: (data) => queryClient.setQueryData(key, data),
  });
  const s = setting.data;
  return (
    <Stack gap={6} mt="md" role="group" aria-label={`Marketing Messages of ${pageName}`}>
      <Group gap="xs">
        <Text fw={600} size="sm">
          Marketing Messages
        </Text>
        <Badge color={s?.enabled ? 'green' : 'gray'} variant="light" tt="none">
          {s?.enabled ? 'On' : 'Off'}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed">
        Meta&apos;s paid Marketing Messages let a marketing campaign reach people who subscribed to the Page&apos;s
        offers, even when they have not written in the last 24 hours: at most one message every 12 hours per person,
        billed to your ad account, and never to people who may be in the EU, the UK, Japan, Korea or Australia
        (pagescope leaves out anyone whose language or time zone suggests so). Meta must first grant your app the
        permission through App Review.
        {s?.enabled && s.permission_checked_at && ` Meta confirmed the permission ${when(s.permission_checked_at)}.`}
      </Text>
      <ErrorNote error={setting.error ?? save.error} />
      {manager && s && (
        <Stack
          component="form"
          gap="xs"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <Switch
            label="Send Marketing Messages from this Page"
            checked={enabled}
            onChange={(e) => setEnabled(e.currentTarget.checked)}
          />
          {enabled && (
            <Group grow align="flex-start" wrap="wrap">
              <TextInput
                label="Ad account id"
                description="The ad account the messages are billed to (act_… or digits)"
                value={account}
                onChange={(e) => setAccount(e.currentTarget.value)}
                required
              />
              <NumberInput
                label="Daily budget per campaign, in cents"
                description="Each marketing campaign's daily budget at Meta (at least 100)"
                value={budget}
                onChange={setBudget}
                min={100}
                allowDecimal={false}
                required
              />
            </Group>
          )}
          <Group>
            <Button type="submit" size="xs" loading={save.isPending}>
              Save Marketing Messages
            </Button>
          </Group>
        </Stack>
      )}
    </Stack>
  );
}
