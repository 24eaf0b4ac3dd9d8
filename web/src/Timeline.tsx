import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Anchor, Badge, Box, Button, Group, Paper, Text } from '@mantine/core';
import { textNow, type Message } from './api.ts';
import { clock } from './people.ts';
import { sendErrorCodeLine, sendErrorInWords } from '../../src/lib/send-error-words.ts';

const AUTHOR: Record<Message['author'], string> = {
  contact: 'Customer',
  agent: 'Agent',
  automation: 'Bot',
  campaign: 'Campaign',
  page: 'Page',
  note: 'Note',
};

type DeliveryStatus = NonNullable<Message['delivery']>['status'];

/** Each state of our own send as ticks, with the word a screen reader says. */
const TICKS: Record<DeliveryStatus, { glyph: string; label: string }> = {
  queued: { glyph: '○', label: 'Sending' },
  sending: { glyph: '○', label: 'Sending' },
  sent: { glyph: '✓', label: 'Sent' },
  delivered: { glyph: '✓✓', label: 'Delivered' },
  read: { glyph: '✓✓', label: 'Read' },
  failed: { glyph: '!', label: 'Failed' },
  skipped: { glyph: '✕', label: 'Not sent' },
};

const FILE_KIND: Record<string, string> = { video: 'Video', audio: 'Audio', file: 'File', location: 'Location' };

function summary(m: Message): string {
  if (m.kind === 'postback') return `pressed “${m.text ?? m.postback_payload ?? 'a button'}”`;
  const text = textNow(m);
  if (text) return m.edited ? `${text} (edited)` : text;
  return m.attachments.length > 0 ? `[${m.attachments.map((a) => a.type).join(', ')}]` : '';
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function Attachment({ a, m, out }: { a: Message['attachments'][number]; m: Message; out: boolean }) {
  const payload = record(a.payload);
  const url = a.url ?? (typeof payload.url === 'string' ? payload.url : undefined);
  const from = m.direction === 'inbound' ? 'the customer' : AUTHOR[m.author].toLowerCase();
  const [broken, setBroken] = useState(false);
  if ((a.type === 'image' || a.type === 'sticker') && url && !broken)
    return (
      <Anchor href={url} target="_blank" rel="noreferrer" display="block">
        <img
          src={url}
          alt={a.title ?? (a.type === 'sticker' ? `Sticker from ${from}` : `Image from ${from}`)}
          loading="lazy"
          onError={() => setBroken(true)}
          style={{
            display: 'block',
            maxWidth: '100%',
            width: 240,
            maxHeight: 240,
            objectFit: 'cover',
            borderRadius: 8,
          }}
        />
      </Anchor>
    );
  if (a.type === 'template') {
    const elements = Array.isArray(payload.elements) ? payload.elements.map(record) : [];
    const heading = typeof payload.text === 'string' ? payload.text : (elements[0]?.title as string | undefined);
    return (
      <Paper withBorder p={6} radius="sm" bg={out ? 'indigo.7' : 'white'} c={out ? 'white' : undefined}>
        <Text size="xs" fw={700}>
          Template{typeof payload.template_type === 'string' ? `: ${payload.template_type}` : ''}
        </Text>
        {heading && <Text size="sm">{heading}</Text>}
      </Paper>
    );
  }
  const kind = a.type === 'image' ? 'Image' : a.type === 'sticker' ? 'Sticker' : (FILE_KIND[a.type] ?? a.type);
  const name = a.title ?? (url ? decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() ?? '') : '');
  return (
    <Paper withBorder px={8} py={4} radius="sm" bg={out ? 'indigo.7' : 'white'} c={out ? 'white' : undefined}>
      <Group gap={6} wrap="nowrap">
        <Badge size="xs" variant={out ? 'white' : 'light'} color="indigo" radius="sm">
          {kind}
        </Badge>
        {url ? (
          <Anchor
            href={url}
            target="_blank"
            rel="noreferrer"
            size="sm"
            c={out ? 'white' : undefined}
            underline="always"
          >
            {name || `Open the ${kind.toLowerCase()}`}
          </Anchor>
        ) : (
          name && <Text size="sm">{name}</Text>
        )}
      </Group>
    </Paper>
  );
}

function Ticks({ status }: { status: DeliveryStatus }) {
  const t = TICKS[status];
  return (
    <Text
      component="span"
      role="img"
      aria-label={t.label}
      title={t.label}
      size="xs"
      fw={700}
      c={status === 'read' ? 'cyan.3' : status === 'failed' || status === 'skipped' ? 'red.2' : 'indigo.1'}
      style={{ letterSpacing: status === 'delivered' || status === 'read' ? '-0.3em' : undefined, lineHeight: 1 }}
    >
      {t.glyph}
    </Text>
  );
}

function BubbleView({ m, day, index }: { m: Message; day: string | null; index: number }) {
  const note = m.author === 'note';
  const out = m.direction === 'outbound' && !note;
  const d = m.delivery;
  const problem = d && (d.status === 'failed' || d.status === 'skipped') && d.error;
  const codes = problem ? { code: problem.code, metaCode: problem.meta_code, metaSubcode: problem.meta_subcode } : null;
  const text = textNow(m);
  const [original, setOriginal] = useState(false);
  return (
    <Box
      component="li"
      data-id={m.id}
      data-index={index}
      aria-label={`${AUTHOR[m.author]}: ${summary(m)}`}
      style={{
        display: 'flex',
        flexDirection: 'column',
        alignItems: note ? 'center' : out ? 'flex-end' : 'flex-start',
        paddingBottom: 8,
      }}
    >
      {day && (
        <Text size="xs" c="dimmed" ta="center" w="100%" pb={8} aria-hidden>
          {day}
        </Text>
      )}
      <Paper
        px="sm"
        py={6}
        maw="min(75%, 560px)"
        radius="lg"
        bg={note ? 'yellow.1' : out ? (problem ? 'red.7' : 'indigo.6') : 'gray.1'}
        c={out ? 'white' : undefined}
        withBorder={note}
        style={{ ...(note && { borderStyle: 'dashed' }), minWidth: 0 }}
      >
        {note && (
          <Text size="xs" fw={700}>
            Note
          </Text>
        )}
        {(m.quick_reply_payload !== undefined || m.kind === 'postback') && (
          <Text size="xs" c="dimmed" fs="italic">
            {m.kind === 'postback' ? 'Pressed a button' : 'Tapped a quick reply'}
          </Text>
        )}
        {text && (
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {text}
          </Text>
        )}
        {m.edited && (
          <>
            <Button
              variant="transparent"
              size="compact-xs"
              px={0}
              c="dimmed"
              fw={400}
              aria-expanded={original}
              onClick={() => setOriginal((v) => !v)}
            >
              {original ? 'Edited · hide what was first sent' : 'Edited · show what was first sent'}
            </Button>
            {original && (
              <Text
                size="xs"
                c="dimmed"
                role="note"
                aria-label="First sent"
                pl={6}
                style={{
                  whiteSpace: 'pre-wrap',
                  wordBreak: 'break-word',
                  borderLeft: '2px solid var(--mantine-color-gray-4)',
                }}
              >
                {m.text ?? 'No text'}
              </Text>
            )}
          </>
        )}
        {m.attachments.length > 0 && (
          <Box mt={text ? 4 : 0} style={{ display: 'grid', gap: 4 }}>
            {m.attachments.map((a, i) => (
              <Attachment key={i} a={a} m={m} out={out} />
            ))}
          </Box>
        )}
        {m.quick_replies && m.quick_replies.length > 0 && (
          <Group gap={4} mt={6} role="group" aria-label="Quick replies offered">
            {m.quick_replies.map((q, i) => (
              <Badge key={i} size="sm" variant="white" color="indigo" radius="xl" tt="none">
                {q.title ??
                  (q.content_type === 'user_email' ? 'Email' : q.content_type === 'user_phone_number' ? 'Phone' : '…')}
              </Badge>
            ))}
          </Group>
        )}
        <Group gap={6} justify="flex-end" wrap="nowrap" mt={2}>
          <Text size="xs" c={out ? 'indigo.1' : 'dimmed'}>
            {note ? '' : `${AUTHOR[m.author]} · `}
            {clock(m.created_at)}
          </Text>
          {out && d && <Ticks status={d.status} />}
        </Group>
      </Paper>
      {m.reaction && (
        <Text
          role="img"
          aria-label={`The customer reacted: ${m.reaction.reaction ?? m.reaction.emoji}`}
          title={`The customer reacted ${new Date(m.reaction.at).toLocaleString()}`}
          size="sm"
          px={6}
          mt={-8}
          mx={10}
          bg="white"
          style={{ borderRadius: 999, border: '1px solid var(--mantine-color-gray-3)', lineHeight: 1.6 }}
        >
          {m.reaction.emoji ?? m.reaction.reaction}
        </Text>
      )}
      {codes && (
        <Box maw="min(75%, 560px)" mt={4} ta="right" role="note" aria-label="Why it was not sent">
          <Text size="sm" c="red.8">
            {sendErrorInWords(codes)}
          </Text>
          <Text size="xs" c="dimmed" ff="monospace">
            {sendErrorCodeLine(codes)}
          </Text>
        </Box>
      )}
    </Box>
  );
}

/** Re-renders a message only when what it shows changed: a page of older messages leaves the others alone. */
const Bubble = memo(
  BubbleView,
  (a, b) =>
    a.m.id === b.m.id &&
    a.day === b.day &&
    a.index === b.index &&
    a.m.delivery?.status === b.m.delivery?.status &&
    a.m.text === b.m.text &&
    a.m.edited?.text === b.m.edited?.text &&
    a.m.reaction?.emoji === b.m.reaction?.emoji &&
    a.m.reaction?.reaction === b.m.reaction?.reaction &&
    a.m.attachments.length === b.m.attachments.length,
);

const dayOf = (iso: string) => new Date(iso).toDateString();
const dayLabel = (iso: string) =>
  new Date(iso).toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });

/** A message's height until it has been rendered and measured (its bottom gap included). */
const ESTIMATE = 72;
/** How far beyond the visible part messages are rendered, above and below, in pixels. */
const OVERSCAN = 900;

/** The first index whose `offsets[i + 1]` passes `y` (offsets are increasing prefix sums). */
function indexAt(offsets: readonly number[], y: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1]! <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface TimelineProps {
  messages: Message[];
  ready: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  olderFailed: boolean;
  loadOlder: () => void;
}

/**
 * The history, windowed: only the messages in and near view are in the page, the rest is space of their measured
 * (or estimated) height, so thousands of messages scroll as smoothly as fifty. It opens at the newest message and
 * stays there while new ones arrive (unless the reader scrolled up); nearing the top loads the previous page, and the
 * message the reader was looking at stays where it was.
 */
function TimelineView({ messages, ready, hasOlder, loadingOlder, olderFailed, loadOlder }: TimelineProps) {
  const box = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const heights = useRef(new Map<string, number>());
  const atBottom = useRef(true);
  const [view, setView] = useState({ top: 0, height: 1000 });
  const [measured, setMeasured] = useState(0);
  const previous = useRef<{ firstId: string | undefined; lastId: string | undefined; count: number }>({
    firstId: undefined,
    lastId: undefined,
    count: 0,
  });

  const offsets = useMemo(() => {
    const out = new Array<number>(messages.length + 1);
    out[0] = 0;
    for (let i = 0; i < messages.length; i++) out[i + 1] = out[i]! + (heights.current.get(messages[i]!.id) ?? ESTIMATE);
    return out;
    // `measured` changes whenever a height in the map does.
  }, [messages, measured]);
  const total = offsets[messages.length]!;
  const start = messages.length === 0 ? 0 : indexAt(offsets, Math.max(0, view.top - OVERSCAN));
  const end =
    messages.length === 0 ? 0 : Math.min(messages.length, indexAt(offsets, view.top + view.height + OVERSCAN) + 1);

  const sync = (el: HTMLDivElement) => {
    setView((v) =>
      v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight },
    );
  };

  // After each render: measure what is rendered; keep the view still when messages above it change height or
  // arrive above it (an older page); follow the newest while the reader is there.
  useLayoutEffect(() => {
    const el = box.current;
    const ol = list.current;
    if (!el || !ol) return;
    let changed = false;
    let above = 0;
    const firstInView = indexAt(offsets, el.scrollTop);
    for (const li of ol.querySelectorAll<HTMLElement>(':scope > li[data-id]')) {
      const id = li.dataset.id!;
      const h = li.offsetHeight;
      const old = heights.current.get(id) ?? ESTIMATE;
      if (h !== old) {
        heights.current.set(id, h);
        changed = true;
        if (Number(li.dataset.index) < firstInView) above += h - old;
      }
    }
    const prev = previous.current;
    const firstId = messages[0]?.id;
    const lastId = messages[messages.length - 1]?.id;
    if (prev.firstId !== undefined && firstId !== prev.firstId && !atBottom.current) {
      // An older page arrived above: what was first is now further down by the height of what came before it.
      const k = messages.findIndex((m) => m.id === prev.firstId);
      let shift = 0;
      for (let i = 0; i < k; i++) shift += heights.current.get(messages[i]!.id) ?? ESTIMATE;
      el.scrollTop += shift;
    } else if (above !== 0 && !atBottom.current) el.scrollTop += above;
    previous.current = { firstId, lastId, count: messages.length };
    if (atBottom.current) el.scrollTop = el.scrollHeight;
    sync(el);
    if (changed) setMeasured((n) => n + 1);
  });

  // Images load and fonts settle after a render: measure again when the rendered part changes size.
  useEffect(() => {
    const el = box.current;
    if (!el || !list.current) return;
    const observer = new ResizeObserver(() => setMeasured((n) => n + 1));
    observer.observe(list.current);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const older = () => {
    if (hasOlder && !loadingOlder) loadOlder();
  };

  return (
    <Box
      ref={box}
      style={{ flex: 1, overflowY: 'auto', minHeight: 0, overscrollBehavior: 'contain', overflowAnchor: 'none' }}
      px="sm"
      tabIndex={0}
      role="region"
      aria-label="Conversation history"
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        sync(el);
        if (el.scrollTop < 600) older();
      }}
    >
      <Group justify="center" py="xs" mih={44}>
        {hasOlder ? (
          <Button size="compact-xs" variant="subtle" loading={loadingOlder} onClick={older}>
            {olderFailed ? 'Could not load — try again' : 'Load older messages'}
          </Button>
        ) : (
          ready && (
            <Text size="xs" c="dimmed">
              {messages.length === 0 ? 'No messages yet' : 'Beginning of the conversation'}
            </Text>
          )
        )}
      </Group>
      <Box
        ref={list}
        component="ol"
        aria-label="Timeline"
        style={{
          listStyle: 'none',
          margin: 0,
          padding: 0,
          paddingTop: offsets[start],
          paddingBottom: total - offsets[end]!,
        }}
      >
        {messages.slice(start, end).map((m, j) => {
          const i = start + j;
          const newDay = i === 0 || dayOf(messages[i - 1]!.created_at) !== dayOf(m.created_at);
          return <Bubble key={m.id} m={m} index={i} day={newDay ? dayLabel(m.created_at) : null} />;
        })}
      </Box>
    </Box>
  );
}

/** Typing in the composer leaves the history alone: it renders again only when its own props change. */
export const Timeline = memo(TimelineView);
