import { useState } from 'react';
import {
  ActionIcon,
  Badge,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Textarea,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, managesSettings, PanelHeader, useConfirm } from './shared.tsx';
import { describeFilter } from '../filter-words.ts';
import { draftOf, EMPTY_DRAFT, type Draft } from '../SegmentBuilder.tsx';
import { conditionsOf, RuleConditions, useSegmentFields } from './RuleConditions.tsx';

interface Action {
  type: string;
  [k: string]: unknown;
}
interface Rule {
  id: string;
  name: string;
  enabled: boolean;
  trigger: { type: string; [k: string]: unknown };
  conditions: unknown;
  actions: Action[];
}

const TRIGGERS: { value: string; label: string; list?: 'keywords' | 'payloads' | 'refs' }[] = [
  { value: 'keyword', label: 'A message holds a keyword', list: 'keywords' },
  { value: 'get_started', label: 'The person presses Get Started' },
  { value: 'quick_reply', label: 'A quick reply is pressed', list: 'payloads' },
  { value: 'postback', label: 'A button is pressed', list: 'payloads' },
  { value: 'referral', label: 'The person follows a link', list: 'refs' },
  { value: 'first_message', label: 'The first message of a person' },
  { value: 'outside_hours', label: 'A message outside business hours' },
  { value: 'unanswered', label: 'A conversation waits unanswered' },
  { value: 'order_status', label: 'A message names an order of the person' },
  { value: 'default', label: 'No other rule matched a message' },
];

/** What a rule's trigger says, in words. */
function describeTrigger(t: Rule['trigger']): string {
  const label = TRIGGERS.find((x) => x.value === t.type)?.label ?? t.type;
  const list = (t.keywords ?? t.payloads ?? t.refs) as string[] | undefined;
  if (t.type === 'keyword') return `${label} (${String(t.match)}): ${(list ?? []).join(', ')}`;
  if (list) return `${label}: ${list.join(', ')}`;
  if (t.type === 'unanswered') return `${label} for ${String(t.minutes)} min`;
  return label;
}

function describeActions(actions: Action[], sequenceNames: ReadonlyMap<string, string> | null): string {
  return actions
    .map((a) => {
      if (a.type === 'send') return `reply “${String((a.message as { text?: string })?.text ?? 'attachment')}”`;
      if (a.type === 'start_sequence') {
        // Without the list (not loaded, or a role that does not see sequences) the rule still says what it does.
        if (sequenceNames === null) return 'start a follow-up sequence';
        return `start the sequence “${sequenceNames.get(String(a.sequence_id)) ?? 'a deleted sequence'}”`;
      }
      return a.type.replace(/_/g, ' ');
    })
    .join(', then ');
}

/** The Page's follow-up sequences (shared with the Sequences tab's list), for rules that start one. */
function usePageSequences(pageId: string | null) {
  return useQuery({
    queryKey: ['sequences', pageId],
    queryFn: () =>
      api<{ data: { id: string; name: string }[] }>(`/api/v1/pages/${encodeURIComponent(pageId!)}/sequences`),
    enabled: pageId !== null,
  });
}

/** A Page's automation rules: everyone sees them; owners and admins add, change, switch off and delete them. */
export function RulesPanel({ user, pageId, pages }: ScreenProps) {
  const queryClient = useQueryClient();
  const manager = managesSettings(user.role);
  const pageName = pages.find((p) => p.id === pageId)?.name ?? 'this Page';
  const key = ['automations', pageId];
  const list = useQuery({
    queryKey: key,
    queryFn: () => api<{ data: Rule[] }>(`/api/v1/pages/${encodeURIComponent(pageId!)}/automations`),
    enabled: pageId !== null,
  });
  const [editing, setEditing] = useState<string | null>(null);
  const { confirm, modal } = useConfirm();
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  const sequences = usePageSequences(pageId);
  const sequenceNames = sequences.data ? new Map(sequences.data.data.map((q) => [q.id, q.name])) : null;
  const toggle = useMutation({
    mutationFn: (r: Rule) => api(`/api/v1/automations/${r.id}`, { method: 'PATCH', body: { enabled: !r.enabled } }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (r: Rule) => api(`/api/v1/automations/${r.id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });

  return (
    <>
      <PanelHeader title={`Automation rules of ${pageName}`}>
        Rules answer people while the bot handles their conversation: an agent&apos;s reply or a handover silences them,
        resolving gives the conversation back. Replies go out only within 24 hours of the person&apos;s last message.
        {manager ? '' : ' Owners and admins manage them.'}
      </PanelHeader>
      <Stack gap="md">
        {manager && pageId && <RuleForm pageId={pageId} onDone={refresh} />}
        <ErrorNote error={list.error ?? toggle.error ?? remove.error} />
        {list.data?.data.length === 0 && (
          <Text size="sm" c="dimmed">
            No rules yet.
          </Text>
        )}
        {!!list.data?.data.length && (
          <Table verticalSpacing="xs" aria-label="Automation rules" layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={180}>Name</Table.Th>
                <Table.Th>When, then</Table.Th>
                <Table.Th w={90}>On</Table.Th>
                {manager && (
                  <Table.Th w={110}>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.data.map((r) =>
                editing === r.id && pageId ? (
                  <Table.Tr key={r.id}>
                    <Table.Td colSpan={manager ? 4 : 3}>
                      <RuleForm
                        pageId={pageId}
                        existing={r}
                        onDone={async () => {
                          setEditing(null);
                          await refresh();
                        }}
                      />
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {r.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                        {describeTrigger(r.trigger)} → {describeActions(r.actions, sequenceNames)}
                      </Text>
                      {r.conditions !== null && (
                        <Group gap={4} wrap="nowrap" align="baseline">
                          <Badge size="xs" variant="light" style={{ flex: 'none' }}>
                            only if
                          </Badge>
                          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                            {describeFilter(r.conditions)}
                          </Text>
                        </Group>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        checked={r.enabled}
                        disabled={!manager}
                        aria-label={`Rule ${r.name} on`}
                        onChange={() => toggle.mutate(r)}
                      />
                    </Table.Td>
                    {manager && (
                      <Table.Td>
                        <Group gap="xs" justify="flex-end" wrap="nowrap">
                          <Button
                            size="xs"
                            variant="default"
                            aria-label={`Edit ${r.name}`}
                            onClick={() => setEditing(r.id)}
                          >
                            Edit
                          </Button>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Delete ${r.name}`}
                            onClick={() =>
                              confirm({
                                title: `Delete ${r.name}?`,
                                text: 'The rule and the record of its runs go.',
                                action: 'Delete rule',
                                run: () => remove.mutate(r),
                              })
                            }
                          >
                            ✕
                          </ActionIcon>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ),
              )}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {modal}
    </>
  );
}

/**
 * Adds a rule, or changes one (`existing`): its trigger, the reply it sends and whether it hands over to a person.
 * Actions the form does not show (tags, attributes …, set through the API) are kept as they are.
 */
function RuleForm({ pageId, existing, onDone }: { pageId: string; existing?: Rule; onDone: () => Promise<void> }) {
  const t = existing?.trigger;
  const [name, setName] = useState(existing?.name ?? '');
  const [type, setType] = useState(t?.type ?? 'keyword');
  const [match, setMatch] = useState(String(t?.match ?? 'contains'));
  const [values, setValues] = useState(((t?.keywords ?? t?.payloads ?? t?.refs ?? []) as string[]).join(', '));
  const [minutes, setMinutes] = useState<number | string>(Number(t?.minutes ?? 10));
  const send = existing?.actions.find((a) => a.type === 'send');
  const [reply, setReply] = useState(String((send?.message as { text?: string } | undefined)?.text ?? ''));
  const [handover, setHandover] = useState(existing?.actions.some((a) => a.type === 'handover') ?? false);
  const started = existing?.actions.find((a) => a.type === 'start_sequence');
  const [sequenceId, setSequenceId] = useState(started ? String(started.sequence_id) : '');
  const sequences = usePageSequences(pageId);
  const saved = existing?.conditions ? draftOf(existing.conditions as Record<string, unknown>) : null;
  const [limited, setLimited] = useState(Boolean(existing?.conditions));
  const [conditions, setConditions] = useState<Draft>(saved ?? EMPTY_DRAFT);
  const fields = useSegmentFields(pageId);
  const listKind = TRIGGERS.find((x) => x.value === type)?.list;
  const save = useMutation({
    mutationFn: () => {
      const trigger: Record<string, unknown> = { type };
      if (listKind)
        trigger[listKind] = values
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
      if (type === 'keyword') trigger.match = match;
      if (type === 'unanswered') trigger.minutes = Number(minutes);
      const shown = new Set(['send', 'handover', 'start_sequence']);
      const kept = (existing?.actions ?? []).filter((a) => !shown.has(a.type));
      const actions = [
        ...(reply.trim() ? [{ ...(send?.message as object), type: 'send', text: reply }] : []),
        ...kept,
        ...(sequenceId ? [{ type: 'start_sequence', sequence_id: sequenceId }] : []),
        ...(handover ? [existing?.actions.find((a) => a.type === 'handover') ?? { type: 'handover' }] : []),
      ];
      const body = { name, trigger, actions, conditions: limited ? conditionsOf(conditions, fields) : null };
      return existing
        ? api(`/api/v1/automations/${existing.id}`, { method: 'PATCH', body })
        : api(`/api/v1/pages/${encodeURIComponent(pageId)}/automations`, { method: 'POST', body });
    },
    onSuccess: async () => {
      if (!existing) {
        setName('');
        setValues('');
        setReply('');
        setHandover(false);
        setSequenceId('');
        setLimited(false);
        setConditions(EMPTY_DRAFT);
      }
      await onDone();
    },
  });
  return (
    <form
      aria-label={existing ? `Edit rule ${existing.name}` : 'Add a rule'}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack gap="xs">
        <Group align="flex-end" grow>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <NativeSelect
            label="When"
            value={type}
            onChange={(e) => setType(e.currentTarget.value)}
            data={TRIGGERS.map(({ value, label }) => ({ value, label }))}
          />
        </Group>
        {type === 'keyword' && (
          <NativeSelect
            label="Match"
            value={match}
            onChange={(e) => setMatch(e.currentTarget.value)}
            data={[
              { value: 'contains', label: 'contains the words' },
              { value: 'is', label: 'is exactly' },
              { value: 'regex', label: 'matches the regular expression' },
            ]}
          />
        )}
        {listKind && (
          <TextInput
            label={listKind === 'keywords' ? 'Keywords' : listKind === 'payloads' ? 'Payloads' : 'Refs'}
            description="separated by commas; case and accents do not matter"
            value={values}
            onChange={(e) => setValues(e.currentTarget.value)}
          />
        )}
        {type === 'unanswered' && (
          <NumberInput label="Minutes without an answer" min={1} value={minutes} onChange={setMinutes} />
        )}
        <Checkbox
          label="Only for some people (conditions)"
          checked={limited}
          onChange={(e) => setLimited(e.currentTarget.checked)}
        />
        {limited && <RuleConditions pageId={pageId} draft={conditions} onChange={setConditions} />}
        <Textarea
          label="Reply"
          description={type === 'order_status' ? 'may use {{order.number}} and {{order.status}}' : undefined}
          autosize
          minRows={2}
          value={reply}
          onChange={(e) => setReply(e.currentTarget.value)}
        />
        <NativeSelect
          label="Start a follow-up sequence"
          description="the person is subscribed once; a sequence they are in or have had is not started over"
          value={sequenceId}
          onChange={(e) => setSequenceId(e.currentTarget.value)}
          data={[
            { value: '', label: 'None' },
            ...(sequences.data?.data ?? []).map((q) => ({ value: q.id, label: q.name })),
            // A sequence deleted since still shows as what the rule names, so saving keeps or drops it knowingly.
            ...(sequenceId && sequences.data && !sequences.data.data.some((q) => q.id === sequenceId)
              ? [{ value: sequenceId, label: 'A deleted sequence' }]
              : []),
          ]}
        />
        <Checkbox
          label="Hand the conversation over to a person"
          checked={handover}
          onChange={(e) => setHandover(e.currentTarget.checked)}
        />
        <ErrorNote error={save.error} />
        <Group>
          <Button type="submit" loading={save.isPending} disabled={limited && fields.length === 0}>
            {existing ? 'Save rule' : 'Add rule'}
          </Button>
          {existing && (
            <Button variant="default" onClick={() => void onDone()}>
              Cancel
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
