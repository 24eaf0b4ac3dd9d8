import { useEffect, useRef, useState } from 'react';
import { Badge, Button, Checkbox, Group, Stack, Switch, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, managesSettings, PanelHeader } from './shared.tsx';
import { UnansweredList, type Unanswered } from './UnansweredList.tsx';

export interface FaqEntry {
  id: string;
  question: string;
  phrases: string[];
  answer: { text?: string };
  status: 'draft' | 'approved';
}

interface Settings {
  enabled: boolean;
  threshold: number;
  margin: number;
  approved_entries: number;
}

interface Decision {
  action: 'answer' | 'handoff' | 'none';
  faq_id?: string;
  reply?: { text?: string };
  confidence: number;
  margin: number;
  reason: string;
}

const REASONS: Record<string, string> = {
  matched: 'an approved entry matches',
  asked_for_person: 'the person asks for a person',
  repeatedly_unanswered: 'several questions in a row went unanswered',
  below_threshold: 'no entry is close enough',
  small_margin: 'two entries are too close to choose',
  no_entries: 'no entry is approved',
  empty: 'the message has no words',
};

/** The Page's FAQ assistant: its entries (owners and admins write and approve them), its switch and a "try it" box. */
export function AssistantPanel({ user, pageId, pages, narrow }: ScreenProps) {
  const queryClient = useQueryClient();
  const manager = managesSettings(user.role);
  const pageName = pages.find((p) => p.id === pageId)?.name ?? 'this Page';
  const base = `/api/v1/pages/${encodeURIComponent(pageId ?? '')}`;
  const faqKey = ['faq', pageId];
  const settingsKey = ['assistant', pageId];
  const [converting, setConverting] = useState<Unanswered | null>(null);
  const faq = useQuery({
    queryKey: faqKey,
    queryFn: () => api<{ data: FaqEntry[] }>(`${base}/faq`),
    enabled: pageId !== null,
  });
  const settings = useQuery({
    queryKey: settingsKey,
    queryFn: () => api<Settings>(`${base}/assistant`),
    enabled: pageId !== null,
  });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: faqKey });
    await queryClient.invalidateQueries({ queryKey: settingsKey });
    await queryClient.invalidateQueries({ queryKey: ['unanswered', pageId] });
  };
  const approve = useMutation({
    mutationFn: (e: FaqEntry) =>
      api(`/api/v1/faq/${e.id}`, { method: 'PATCH', body: { status: e.status === 'approved' ? 'draft' : 'approved' } }),
    onSuccess: refresh,
  });
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => api(`${base}/assistant`, { method: 'PATCH', body: { enabled } }),
    onSuccess: refresh,
  });

  return (
    <>
      <PanelHeader title={`Assistant of ${pageName}`}>
        The assistant answers people&apos;s questions from the approved entries below, in the conversations the bot
        handles and inside the 24-hour window; it hands the conversation to your team when someone asks for a person.
        {manager ? '' : ' Owners and admins manage it.'}
      </PanelHeader>
      <Stack gap="md">
        <ErrorNote error={faq.error ?? settings.error ?? approve.error ?? toggle.error} />
        {settings.data && (
          <Switch
            label="Answer people automatically"
            description={`Answers at a confidence of ${settings.data.threshold} or more; ${settings.data.approved_entries} approved ${settings.data.approved_entries === 1 ? 'entry' : 'entries'}`}
            checked={settings.data.enabled}
            disabled={!manager || toggle.isPending}
            onChange={(e) => toggle.mutate(e.currentTarget.checked)}
          />
        )}
        {manager && pageId && (
          <FaqForm
            key={converting?.id ?? 'new'}
            base={base}
            from={converting}
            onDone={async () => {
              setConverting(null);
              await refresh();
            }}
            onCancel={() => setConverting(null)}
          />
        )}
        {faq.data?.data.length === 0 && (
          <Text size="sm" c="dimmed">
            No FAQ entries yet.
          </Text>
        )}
        {!!faq.data?.data.length && (
          <Table verticalSpacing="xs" aria-label="FAQ entries" layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Question</Table.Th>
                <Table.Th>Answer</Table.Th>
                <Table.Th w={110}>Status</Table.Th>
                {manager && <Table.Th w={110}>Change</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {faq.data.data.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <Text size="sm">{e.question}</Text>
                    <Text size="xs" c="dimmed">
                      {e.phrases.length} other phrasings
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                      {e.answer.text ?? '(an attachment)'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={e.status === 'approved' ? 'green' : 'gray'} variant="light">
                      {e.status === 'approved' ? 'Approved' : 'Draft'}
                    </Badge>
                  </Table.Td>
                  {manager && (
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="default"
                        aria-label={`${e.status === 'approved' ? 'Withdraw' : 'Approve'} “${e.question}”`}
                        onClick={() => approve.mutate(e)}
                      >
                        {e.status === 'approved' ? 'Withdraw' : 'Approve'}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {pageId && <TryBox base={base} entries={faq.data?.data ?? []} />}
        {pageId && (
          <UnansweredList
            pageId={pageId}
            manager={manager}
            narrow={narrow}
            entries={faq.data?.data ?? []}
            onTurn={setConverting}
            onChanged={refresh}
          />
        )}
      </Stack>
    </>
  );
}

/**
 * A new FAQ entry; `from` an unanswered question, it is prefilled with the person's words (as the question and as a
 * phrasing) and saved through the question, which then leaves the list.
 */
function FaqForm({
  base,
  from,
  onDone,
  onCancel,
}: {
  base: string;
  from: Unanswered | null;
  onDone: () => Promise<void>;
  onCancel: () => void;
}) {
  const [question, setQuestion] = useState(from?.text ?? '');
  const [phrases, setPhrases] = useState(from?.text ?? '');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (from) ref.current?.scrollIntoView({ block: 'start' });
  }, [from]);
  const [answer, setAnswer] = useState('');
  const [approved, setApproved] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      api(from ? `/api/v1/assistant/unanswered/${encodeURIComponent(from.id)}/faq` : `${base}/faq`, {
        method: 'POST',
        body: {
          question,
          phrases: phrases
            .split('\n')
            .map((p) => p.trim())
            .filter(Boolean),
          answer: { text: answer },
          status: approved ? 'approved' : 'draft',
        },
      }),
    onSuccess: async () => {
      setQuestion('');
      setPhrases('');
      setAnswer('');
      setApproved(false);
      await onDone();
    },
  });
  return (
    <Stack
      ref={ref}
      component="form"
      gap="xs"
      aria-label={from ? 'Turn a question into an FAQ entry' : 'Add an FAQ entry'}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      {from && (
        <Text size="sm" fw={500}>
          A question people asked {from.count === 1 ? 'once' : `${from.count} times`}: tidy the question if you like,
          write the answer, and the assistant learns it.
        </Text>
      )}
      <TextInput
        label="Question"
        required
        maxLength={300}
        value={question}
        onChange={(e) => setQuestion(e.currentTarget.value)}
      />
      <Textarea
        label="Other phrasings"
        description="One per line: the other ways people ask it, in any language"
        autosize
        minRows={2}
        maxRows={8}
        value={phrases}
        onChange={(e) => setPhrases(e.currentTarget.value)}
      />
      <Textarea
        label="Answer"
        description="What the assistant sends"
        required
        autosize
        minRows={2}
        value={answer}
        onChange={(e) => setAnswer(e.currentTarget.value)}
      />
      <Group gap="md">
        <Checkbox label="Approved" checked={approved} onChange={(e) => setApproved(e.currentTarget.checked)} />
        <Button type="submit" loading={save.isPending}>
          Add FAQ entry
        </Button>
        {from && (
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </Group>
      <ErrorNote error={save.error} />
    </Stack>
  );
}

function TryBox({ base, entries }: { base: string; entries: FaqEntry[] }) {
  const [text, setText] = useState('');
  const run = useMutation({
    mutationFn: () => api<Decision>(`${base}/assistant/try`, { method: 'POST', body: { text } }),
  });
  const d = run.data;
  const entry = d?.faq_id ? entries.find((e) => e.id === d.faq_id) : undefined;
  return (
    <Stack
      component="form"
      gap="xs"
      aria-label="Try the assistant"
      onSubmit={(e) => {
        e.preventDefault();
        run.mutate();
      }}
    >
      <Group align="end" gap="xs">
        <TextInput
          label="Try a message"
          description="What the assistant would do; nothing is sent"
          value={text}
          maxLength={2000}
          onChange={(e) => setText(e.currentTarget.value)}
          style={{ flex: '1 1 320px' }}
        />
        <Button type="submit" variant="default" loading={run.isPending} disabled={text.trim() === ''}>
          Try it
        </Button>
      </Group>
      <ErrorNote error={run.error} />
      {d && (
        <Stack gap={2} role="status" aria-label="Decision">
          <Text size="sm" fw={600}>
            {d.action === 'answer' ? 'Answers' : d.action === 'handoff' ? 'Hands over to your team' : 'Stays silent'}
            {` — confidence ${d.confidence.toFixed(2)}, ${REASONS[d.reason] ?? d.reason}`}
          </Text>
          {entry && (
            <Text size="sm">
              {d.action === 'answer' ? 'With' : 'Closest entry'}: {entry.question}
            </Text>
          )}
          {d.reply?.text && (
            <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>
              {d.reply.text}
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}
