import { useRef, useState, type MutableRefObject } from 'react';
import {
  ActionIcon,
  Alert,
  Box,
  Button,
  Fieldset,
  Group,
  NumberInput,
  Radio,
  NativeSelect,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api.ts';
import type { ListPage } from '../people.ts';
import {
  EMPTY_DRAFT,
  SegmentBuilder,
  draftOf,
  filterOf,
  useSegmentCount,
  type Draft,
  type SavedSegment,
  type SegmentField,
} from '../SegmentBuilder.tsx';
import { LivePreview, useLivePreview } from './LivePreview.tsx';
import {
  createBody,
  editorDraftOf,
  fieldOfError,
  insertAt,
  MAX_BUTTONS,
  MAX_VARIANTS,
  previewBlocker,
  previewBody,
  templateSlots,
  VARIABLES,
  variantName,
  type Campaign,
  type CampaignKind,
  type MessageTemplate,
  type VariantDraft,
} from './model.ts';

const MAX_RATE = 240;
const newVariant = (): VariantDraft => ({ text: '', buttons: [], weight: 1 });
const localToIso = (local: string) => new Date(local).toISOString();
/** An RFC 3339 time as the local date-time a datetime-local field holds (`2026-12-24T09:00`). */
const isoToLocal = (iso: string) => {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** The variables a text may hold, each inserted where the caret is on a click. */
function VariableHelper({ label, onInsert }: { label: string; onInsert: (token: string) => void }) {
  return (
    <Group gap={4} role="group" aria-label={`Variables for ${label}`}>
      <Text size="xs" c="dimmed">
        Insert:
      </Text>
      {VARIABLES.map((v) => (
        <Button
          key={v.token}
          size="compact-xs"
          variant="light"
          color="gray"
          title={v.token}
          aria-label={`Insert ${v.label} into ${label}`}
          onClick={() => onInsert(v.token)}
        >
          {v.label}
        </Button>
      ))}
    </Group>
  );
}

function VariantEditor({
  v,
  index,
  count,
  error,
  set,
  remove,
}: {
  v: VariantDraft;
  index: number;
  count: number;
  error: string | undefined;
  set: (patch: Partial<VariantDraft>) => void;
  remove: () => void;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const of = count > 1 ? ` of variant ${variantName(index)}` : '';
  const textLabel = `Message text${of}`;
  const insert = (token: string) => {
    const el = area.current;
    const r = insertAt(v.text, el?.selectionStart ?? v.text.length, el?.selectionEnd ?? v.text.length, token);
    set({ text: r.text });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(r.caret, r.caret);
    });
  };
  const body = (
    <Stack gap="xs">
      <Textarea
        ref={area}
        label={textLabel}
        description="What each person reads; variables are filled per person, a default after | when a value is missing."
        placeholder="Hi {{contact.first_name|there}}, our new arrivals are in!"
        autosize
        minRows={3}
        value={v.text}
        onChange={(e) => set({ text: e.currentTarget.value })}
        error={error}
      />
      <VariableHelper label={textLabel} onInsert={insert} />
      {v.buttons.map((b, i) => (
        <Group key={i} gap={4} wrap="nowrap" align="flex-end">
          <TextInput
            style={{ flex: 1 }}
            label={`Button ${i + 1} title${of}`}
            maxLength={20}
            value={b.title}
            onChange={(e) => {
              const title = e.currentTarget.value;
              set({ buttons: v.buttons.map((x, j) => (j === i ? { ...x, title } : x)) });
            }}
          />
          <TextInput
            style={{ flex: 2 }}
            label={`Button ${i + 1} link${of}`}
            type="url"
            placeholder="https://shop.example/new"
            value={b.url}
            onChange={(e) => {
              const url = e.currentTarget.value;
              set({ buttons: v.buttons.map((x, j) => (j === i ? { ...x, url } : x)) });
            }}
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            mb={4}
            aria-label={`Remove button ${i + 1}${of}`}
            onClick={() => set({ buttons: v.buttons.filter((_, j) => j !== i) })}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      <Group justify="space-between">
        {v.buttons.length < MAX_BUTTONS ? (
          <Button
            size="compact-sm"
            variant="default"
            aria-label={`Add a link button${of}`}
            onClick={() => set({ buttons: [...v.buttons, { title: '', url: '' }] })}
          >
            Add a link button
          </Button>
        ) : (
          <span />
        )}
        <Text size="xs" c="dimmed">
          Links are tracked: clicks count in the report.
        </Text>
      </Group>
    </Stack>
  );
  if (count === 1) return body;
  return (
    <Fieldset legend={`Variant ${variantName(index)}`} p="sm">
      <Stack gap="xs">
        <Group gap="xs" align="flex-end">
          <NumberInput
            label={`Weight of variant ${variantName(index)}`}
            description="Its share of the audience, against the other weights"
            w={260}
            min={1}
            max={1000}
            value={v.weight}
            onChange={(n) => set({ weight: typeof n === 'number' ? n : Number(n) || 1 })}
          />
          <Button
            variant="subtle"
            color="red"
            size="xs"
            aria-label={`Remove variant ${variantName(index)}`}
            onClick={remove}
          >
            Remove variant
          </Button>
        </Group>
        {body}
      </Stack>
    </Fieldset>
  );
}

/** What the view of a draft asks its editor before starting it: are there unsaved edits, and save them now. */
export interface DraftControls {
  unsaved: boolean;
  /** Saves the edits as Save does; resolves true once saved, false when something is missing or refused (shown in the form). */
  save: () => Promise<boolean>;
}

/**
 * A campaign being written: name, kind, audience (a saved segment or a filter), the message with its variables and
 * link buttons (or A/B variants with weights; or an approved template for a utility campaign), when to start and how
 * fast. Beside it, live as it is edited and before anything is saved, who it would reach (eligible of the audience,
 * those left out by reason) and the message rendered for a real person of the audience. A new one is saved as a draft;
 * a draft (`campaign`) is edited in place and saved with the version it was loaded at, so an edit made meanwhile
 * elsewhere is a conflict, never overwritten. A refusal from the API shows next to the field it is about.
 */
export function CampaignEditor({
  pageId,
  narrow,
  campaign,
  onSaved,
  onReload,
  controls,
}: {
  pageId: string;
  narrow: boolean;
  /** The draft to edit; a new campaign without it. */
  campaign?: Campaign;
  onSaved: (id: string) => void;
  /** Loads the draft again (after a conflict: someone saved it meanwhile). */
  onReload?: () => void;
  /** Filled on each render for the draft's view (Start asks about unsaved edits). */
  controls?: MutableRefObject<DraftControls | null>;
}) {
  const client = useQueryClient();
  const [initial] = useState(() => (campaign ? editorDraftOf(campaign, isoToLocal) : null));
  const [name, setName] = useState(initial?.name ?? '');
  const [kind, setKind] = useState<CampaignKind>(initial?.kind ?? 'standard');
  const [audience, setAudience] = useState<'segment' | 'filter'>(initial?.audience ?? 'segment');
  const [segmentId, setSegmentId] = useState<string | null>(initial?.segmentId || null);
  const [draft, setDraft] = useState<Draft>(
    () => (initial?.audience === 'filter' ? draftOf(initial.filter) : null) ?? EMPTY_DRAFT,
  );
  const [variants, setVariants] = useState<VariantDraft[]>(initial?.variants ?? [newVariant()]);
  const [template, setTemplate] = useState<string | null>(initial?.template || null);
  const [parameters, setParameters] = useState<string[]>(initial?.parameters ?? []);
  const [scheduleAt, setScheduleAt] = useState(initial?.scheduleAt ?? '');
  const [maxPerSecond, setMaxPerSecond] = useState<number>(initial?.maxPerSecond ?? 20);
  const [version, setVersion] = useState(campaign?.version ?? 0);
  // The draft as last saved, to say whether there are unsaved changes (taken once the builder can write its filter).
  const saved = useRef<string | null>(null);
  const [contactId, setContactId] = useState<string | null>(null);

  const segments = useQuery({
    queryKey: ['segments', pageId],
    queryFn: () => api<{ data: SavedSegment[] }>(`/api/v1/pages/${encodeURIComponent(pageId)}/segments`),
  });
  const fields = useQuery({
    queryKey: ['segment-fields', pageId],
    queryFn: () => api<ListPage<SegmentField>>(`/api/v1/pages/${encodeURIComponent(pageId)}/segments/fields`),
  });
  const templates = useQuery({
    queryKey: ['message-templates', pageId],
    queryFn: () => api<{ data: MessageTemplate[] }>(`/api/v1/pages/${encodeURIComponent(pageId)}/message-templates`),
    enabled: kind === 'utility',
  });
  const approved = (templates.data?.data ?? []).filter((t) => t.status === 'approved');
  const chosenTemplate = approved.find((t) => `${t.name}|${t.language}` === template);
  const slots = chosenTemplate ? templateSlots(chosenTemplate) : 0;

  const filter = filterOf(draft, fields.data?.data ?? []);
  const segmentFilter = segments.data?.data.find((s) => s.id === segmentId)?.filter ?? null;
  const count = useSegmentCount(pageId, audience === 'segment' ? segmentFilter : filter);

  const editor = {
    name,
    kind,
    audience,
    segmentId: segmentId ?? '',
    filter,
    variants,
    template: template ?? '',
    parameters: parameters.slice(0, slots),
    scheduleAt,
    maxPerSecond,
  };
  const body = createBody(editor, localToIso);
  const live = useLivePreview(
    pageId,
    { ...previewBody(editor, localToIso, contactId), ...(campaign && { campaign_id: campaign.id }) },
    previewBlocker(editor),
  );

  const save = useMutation({
    mutationFn: (b: Record<string, unknown>) =>
      campaign
        ? api<Campaign>(`/api/v1/campaigns/${encodeURIComponent(campaign.id)}`, {
            method: 'PATCH',
            body: b,
            headers: { 'if-match': `"${version}"` },
          })
        : api<Campaign>(`/api/v1/pages/${encodeURIComponent(pageId)}/campaigns`, { method: 'POST', body: b }),
    onSuccess: (c, b) => {
      setVersion(c.version);
      saved.current = JSON.stringify(b);
      client.setQueryData(['campaign', c.id], (old: Campaign | undefined) => ({ ...old, ...c }));
      void client.invalidateQueries({ queryKey: ['campaigns', pageId] });
      void client.invalidateQueries({ queryKey: ['campaign-preview', c.id] });
      onSaved(c.id);
    },
  });
  const err = save.error instanceof ApiError ? save.error : null;
  // Checked here before asking: nothing to save without these, and the API's words would be about JSON.
  const [missing, setMissing] = useState<Record<string, string>>({});
  // A refusal of the live preview is the refusal saving would meet: shown beside its field as the marketer types.
  const refusal = err ?? live.refused;
  const errorFor = (field: string) =>
    missing[field] ??
    (refusal && fieldOfError(refusal) === field ? refusal.message.replace(/^invalid request: /, '') : undefined);
  const stale = err?.code === 'conflict' && err.details?.reason === 'stale';
  // Whether the form has what saving needs, saying beside each field what is missing.
  const complete = () => {
    const m: Record<string, string> = {};
    if (name.trim() === '') m.name = 'Give the campaign a name (only your team sees it).';
    if (audience === 'segment' && !segmentId) m.audience = 'Choose a saved segment, or build a filter.';
    if (kind === 'utility' && !template) m.template = 'Choose an approved template.';
    if (kind === 'standard' && variants.some((v) => v.text.trim() === ''))
      m.message = 'Write the message (every variant needs one).';
    setMissing(m);
    return Object.keys(m).length === 0;
  };
  const submit = () => {
    if (complete()) save.mutate(body);
  };
  const setVariant = (i: number, patch: Partial<VariantDraft>) =>
    setVariants((vs) => vs.map((v, j) => (j === i ? { ...v, ...patch } : v)));

  const panel = (
    <LivePreview
      live={live}
      variants={kind === 'utility' ? 1 : variants.length}
      contactId={contactId}
      onContact={setContactId}
    />
  );
  if (saved.current === null && (audience === 'segment' || fields.data)) saved.current = JSON.stringify(body);
  const unsaved = campaign !== undefined && JSON.stringify(body) !== saved.current;
  if (controls)
    controls.current = {
      unsaved,
      save: async () => {
        if (!complete()) return false;
        try {
          await save.mutateAsync(body);
          return true;
        } catch {
          return false;
        }
      },
    };

  return (
    <Box p={campaign ? 0 : narrow ? 'sm' : 'lg'}>
      <Group align="flex-start" gap="lg" wrap="nowrap">
        <Stack gap="md" style={{ flex: 1, minWidth: 0, maxWidth: 760 }}>
          {!campaign && (
            <Title order={2} size="h3">
              New campaign
            </Title>
          )}
          <TextInput
            label="Name"
            description="For your team: people never see it."
            placeholder="Winter new arrivals"
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errorFor('name')}
          />
          <Radio.Group label="Kind" value={kind} onChange={(v) => setKind(v as CampaignKind)} error={errorFor('kind')}>
            <Stack gap="xs" mt={6}>
              <Radio
                value="standard"
                label="Standard"
                description="Promotional allowed; reaches only people who wrote to the Page in the last 24 hours."
              />
              <Radio
                value="utility"
                label="Utility"
                description="An approved, non-promotional template (an order or account update); reaches people at any time."
              />
              <Radio
                value="marketing"
                label="Marketing"
                disabled
                description="Unavailable: Meta's Marketing Messages need a permission this Page does not have."
              />
            </Stack>
          </Radio.Group>

          <Fieldset legend="Audience" p="sm">
            <Stack gap="xs">
              <SegmentedControl
                aria-label="Audience from"
                value={audience}
                onChange={(v) => setAudience(v === 'filter' ? 'filter' : 'segment')}
                data={[
                  { value: 'segment', label: 'A saved segment' },
                  { value: 'filter', label: 'A filter' },
                ]}
              />
              {audience === 'segment' ? (
                <NativeSelect
                  label="Segment"
                  data={[
                    {
                      value: '',
                      label: segments.data?.data.length === 0 ? 'No saved segments yet' : 'Choose a segment…',
                    },
                    ...(segments.data?.data ?? []).map((s) => ({ value: s.id, label: s.name })),
                  ]}
                  value={segmentId ?? ''}
                  onChange={(e) => setSegmentId(e.currentTarget.value || null)}
                  error={errorFor('audience')}
                />
              ) : (
                <>
                  <SegmentBuilder pageId={pageId} draft={draft} onChange={setDraft} count={count} canSave />
                  {errorFor('audience') && (
                    <Text size="sm" c="red" role="alert">
                      {errorFor('audience')}
                    </Text>
                  )}
                </>
              )}
              <Text size="sm" role="status" aria-label="Audience size">
                {audience === 'segment' && !segmentId
                  ? 'Choose a segment to see how many people it holds.'
                  : count === null
                    ? 'Counting…'
                    : `${count.toLocaleString('en')} ${count === 1 ? 'person' : 'people'} in the audience now${narrow ? '; below' : '; beside'}, who of them it can reach and why the others not.`}
              </Text>
            </Stack>
          </Fieldset>

          {kind === 'utility' ? (
            <Fieldset legend="Template" p="sm">
              <Stack gap="xs">
                <NativeSelect
                  label="Approved template"
                  data={[
                    {
                      value: '',
                      label: templates.isPending
                        ? 'Loading…'
                        : approved.length === 0
                          ? 'No approved template on this Page'
                          : 'Choose a template…',
                    },
                    ...approved.map((t) => ({ value: `${t.name}|${t.language}`, label: `${t.name} (${t.language})` })),
                  ]}
                  value={template ?? ''}
                  onChange={(e) => {
                    setTemplate(e.currentTarget.value || null);
                    setParameters([]);
                  }}
                  error={errorFor('template')}
                />
                {chosenTemplate && (
                  <Text size="sm" c="dimmed">
                    {chosenTemplate.components.find((c) => c.type === 'BODY')?.text}
                  </Text>
                )}
                {Array.from({ length: slots }, (_, i) => (
                  <TextInput
                    key={i}
                    label={`Value of {{${i + 1}}}`}
                    value={parameters[i] ?? ''}
                    onChange={(e) => {
                      const value = e.currentTarget.value;
                      setParameters((ps) => {
                        const next = [...ps];
                        next[i] = value;
                        return next;
                      });
                    }}
                  />
                ))}
                {approved.length === 0 && !templates.isPending && (
                  <Text size="sm" c="dimmed">
                    Utility templates are created through the message templates API and reviewed by Meta; only approved
                    ones can be sent.
                  </Text>
                )}
              </Stack>
            </Fieldset>
          ) : (
            <Fieldset legend={variants.length > 1 ? 'Message: A/B variants' : 'Message'} p="sm">
              <Stack gap="sm">
                {variants.map((v, i) => (
                  <VariantEditor
                    key={i}
                    v={v}
                    index={i}
                    count={variants.length}
                    error={i === 0 || variants.length === 1 ? errorFor('message') : undefined}
                    set={(patch) => setVariant(i, patch)}
                    remove={() => setVariants((vs) => vs.filter((_, j) => j !== i))}
                  />
                ))}
                {variants.length < MAX_VARIANTS && (
                  <Group gap="xs">
                    <Button
                      size="compact-sm"
                      variant="default"
                      onClick={() => setVariants((vs) => [...vs, { ...newVariant(), text: vs[vs.length - 1]!.text }])}
                    >
                      {variants.length === 1 ? 'Add a variant (A/B test)' : 'Add a variant'}
                    </Button>
                    {variants.length > 1 && (
                      <Text size="xs" c="dimmed">
                        Each person gets one variant, always the same; the report compares them.
                      </Text>
                    )}
                  </Group>
                )}
              </Stack>
            </Fieldset>
          )}

          {narrow && (
            <Box component="aside" aria-label="Live preview">
              {panel}
            </Box>
          )}
          <Group grow={!narrow} align="flex-start" wrap={narrow ? 'wrap' : 'nowrap'}>
            <TextInput
              label="Start at"
              description="Empty: it starts when you press Start."
              type="datetime-local"
              value={scheduleAt}
              onChange={(e) => setScheduleAt(e.currentTarget.value)}
              error={errorFor('schedule_at')}
            />
            <NumberInput
              label="Sends per second"
              description={`At most ${MAX_RATE}: agents' replies always go first.`}
              min={1}
              max={MAX_RATE}
              clampBehavior="strict"
              allowDecimal={false}
              value={maxPerSecond}
              onChange={(n) => setMaxPerSecond(typeof n === 'number' ? n : Number(n) || 1)}
              error={errorFor('max_per_second')}
            />
          </Group>
          {stale ? (
            <Alert color="orange" title="Not saved: this draft changed meanwhile" role="alert">
              <Stack gap="xs" align="flex-start">
                <Text size="sm">
                  Someone saved this draft after you opened it. Load their version, then make your change again.
                </Text>
                {onReload && (
                  <Button size="xs" variant="default" onClick={onReload}>
                    Load the latest version
                  </Button>
                )}
              </Stack>
            </Alert>
          ) : (
            err &&
            fieldOfError(err) === 'form' && (
              <Alert color="red" title="Not saved" role="alert">
                {err.message}
              </Alert>
            )
          )}
          <Group>
            <Button onClick={submit} loading={save.isPending}>
              {campaign ? 'Save' : 'Save draft'}
            </Button>
            <Text size="sm" c="dimmed" role="status" aria-label="Saved state">
              {!campaign
                ? 'Nothing is sent until you start it.'
                : unsaved
                  ? 'Unsaved changes: Start asks whether to save them first.'
                  : 'Saved. Nothing is sent until you start it.'}
            </Text>
          </Group>
        </Stack>
        {!narrow && (
          <Box
            component="aside"
            aria-label="Live preview"
            w={320}
            style={{ flexShrink: 0, position: 'sticky', top: 0 }}
          >
            {panel}
          </Box>
        )}
      </Group>
    </Box>
  );
}
