/** The campaigns API as the campaign screens read it, and the words they say it in. Pure: no React. */

export type CampaignStatus = 'draft' | 'scheduled' | 'starting' | 'running' | 'paused' | 'completed' | 'cancelled';
export type CampaignKind = 'standard' | 'utility' | 'marketing';

export interface CampaignStats {
  recipients: number;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  replied: number;
  opted_out: number;
  failed: number;
  skipped: Record<string, number>;
}

export interface Campaign {
  id: string;
  page_id: string;
  name: string;
  kind: CampaignKind;
  segment_id: string | null;
  filter: Record<string, unknown> | null;
  message: Record<string, unknown> | null;
  template: { name: string; language: string; parameters?: unknown } | null;
  status: CampaignStatus;
  schedule_at: string | null;
  max_per_second: number;
  /** Moves with every edit of the draft: sent back as If-Match when saving an edit. */
  version: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** When its whole audience was frozen: null while it is starting (or was paused while starting). */
  audience_frozen_at?: string | null;
  variants: { index: number; weight: number; message: Record<string, unknown>; stats?: CampaignStats }[];
  stats?: CampaignStats;
}

/** One person's message as the preview renders it. */
export interface PreviewedMessage {
  contact_id: string;
  variant: number;
  text: string | null;
  message?: Record<string, unknown> | null;
  reason?: string | null;
}

export interface CampaignPreview {
  recipients: number;
  eligible: number;
  by_reason: Record<string, number>;
  sample: PreviewedMessage[];
  /** The message for the contact asked for (the unsaved preview's `contact_id`). */
  contact?: PreviewedMessage & { in_audience: boolean; exclusion: string | null };
}

export interface Recipient {
  contact_id: string;
  variant: number;
  status: 'pending' | 'queued' | 'skipped' | 'cancelled';
  reason: string | null;
  delivery_id: string | null;
  delivery_status: string | null;
  queued_at: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  clicked_at: string | null;
}

export interface MessageTemplate {
  id: string;
  name: string;
  language: string;
  status: 'submitting' | 'pending' | 'approved' | 'rejected';
  components: { type: string; text?: string }[];
}

export const STATUS_WORDS: Record<CampaignStatus, { label: string; color: string }> = {
  draft: { label: 'Draft', color: 'gray' },
  scheduled: { label: 'Scheduled', color: 'violet' },
  starting: { label: 'Starting', color: 'cyan' },
  running: { label: 'Sending', color: 'blue' },
  paused: { label: 'Paused', color: 'yellow' },
  completed: { label: 'Completed', color: 'green' },
  cancelled: { label: 'Cancelled', color: 'red' },
};

/** Why a person is left out (or was skipped), in plain words. */
const REASON_WORDS: Record<string, string> = {
  outside_window: 'outside the 24-hour window',
  no_user_action: 'never wrote to the Page',
  opted_out: 'opted out',
  unreachable: 'cannot be reached (blocked the Page or left Messenger)',
  invalid_recipient: 'not a valid recipient any more',
  erased: 'their data was erased',
  page_unauthorized: "the Page's token is invalid",
  page_disabled: 'the Page is disabled',
  human_handling: 'someone on the team is handling their conversation',
  already_received: 'already got this campaign',
  no_marketing_consent: 'withdrew marketing consent',
  empty_message: 'the message came out empty for them',
  message_too_long: 'the message came out too long for them',
  template_not_approved: 'no approved template in their language',
  cancelled: 'the campaign was cancelled first',
  no_marketing_token: 'no marketing subscription',
  marketing_region_restricted: 'may be in the EU, UK, Japan, Korea or Australia',
  marketing_not_enabled: 'Marketing Messages are off for the Page',
  frequency_capped: 'got a marketing message in the last 12 hours',
};

export function reasonWords(reason: string): string {
  return REASON_WORDS[reason] ?? reason.replace(/_/g, ' ');
}

/** The variant's letter: A, B, C… */
export const variantName = (i: number) => String.fromCharCode(65 + i);

const skippedTotal = (s: CampaignStats) => Object.values(s.skipped).reduce((a, n) => a + n, 0);

/** Whether a started campaign is still checking who it reaches (starting, or paused before it finished). */
export const freezing = (c: Pick<Campaign, 'status' | 'started_at' | 'audience_frozen_at'>) =>
  c.status === 'starting' || (c.status === 'paused' && c.started_at !== null && c.audience_frozen_at === null);

/** A starting campaign's progress in words: how many people of its audience were checked so far. */
export function checkedWords(checked: number): string {
  return `${checked.toLocaleString('en')} ${checked === 1 ? 'person' : 'people'} checked so far`;
}

/** A date and time as the campaign screens show it. */
export const when = (iso: string) => new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });

/** A campaign still checking who it reaches, in words for its progress line and its row in the list. */
export function freezingWords(c: Pick<Campaign, 'status'>, checked: number): string {
  return `${c.status === 'paused' ? 'Paused while starting' : 'Starting'} — ${checkedWords(checked)}`;
}

/** The line under a started campaign's progress: what it is doing now, in words. */
export function statusLine(c: Campaign): string {
  if (c.status === 'starting')
    return `Checking who it reaches, as they were when it started; sending begins at up to ${c.max_per_second} a second once everyone is checked.`;
  if (freezing(c)) return 'Paused: who it reaches is still being checked; nothing is queued until you resume.';
  if (c.status === 'running') return `Sending at up to ${c.max_per_second} a second; this follows live.`;
  if (c.status === 'paused') return 'Paused: nothing more is queued until you resume.';
  if (c.status === 'completed' && c.finished_at) return `Completed ${when(c.finished_at)}.`;
  if (c.status === 'cancelled') return 'Cancelled: what was not queued was never sent.';
  return '';
}

/** How far a campaign has gone: recipients settled (sent, failed or skipped) of all its recipients. */
export function progressOf(s: CampaignStats): { done: number; total: number; percent: number } {
  const total = s.recipients;
  const done = Math.min(total, s.sent + s.failed + skippedTotal(s));
  return { done, total, percent: total === 0 ? 0 : Math.round((done / total) * 100) };
}

/** What became of one recipient, in a word. */
export function recipientState(r: Recipient): string {
  if (r.status === 'pending') return 'Waiting';
  if (r.status === 'cancelled') return 'Cancelled';
  if (r.status === 'skipped' || r.delivery_status === 'skipped') return 'Skipped';
  switch (r.delivery_status) {
    case 'read':
      return r.clicked_at ? 'Read, clicked' : 'Read';
    case 'delivered':
      return r.clicked_at ? 'Delivered, clicked' : 'Delivered';
    case 'sent':
      return r.clicked_at ? 'Sent, clicked' : 'Sent';
    case 'failed':
      return 'Failed';
    default:
      return 'Sending';
  }
}

/** The variables a campaign text may hold, as the helper lists them. */
export const VARIABLES: { label: string; token: string }[] = [
  { label: 'First name', token: '{{contact.first_name|there}}' },
  { label: 'Last name', token: '{{contact.last_name}}' },
  { label: 'Full name', token: '{{contact.name}}' },
  { label: 'Language', token: '{{contact.locale}}' },
  { label: 'Number of orders', token: '{{orders.count}}' },
  { label: 'Last order number', token: '{{orders.last.external_id}}' },
  { label: 'Last order status', token: '{{orders.last.status}}' },
  { label: 'Last order total', token: '{{orders.last.total}}' },
];

/** Inserts `token` into `text` in place of the selection [start, end); returns the text and where the caret goes. */
export function insertAt(text: string, start: number, end: number, token: string): { text: string; caret: number } {
  const s = Math.max(0, Math.min(start, text.length));
  const e = Math.max(s, Math.min(end, text.length));
  return { text: text.slice(0, s) + token + text.slice(e), caret: s + token.length };
}

/** One message of the editor: its text, up to three link buttons, and its weight among the variants. */
export interface VariantDraft {
  text: string;
  buttons: { title: string; url: string }[];
  weight: number;
}

export const MAX_BUTTONS = 3;
export const MAX_VARIANTS = 5;

export interface EditorDraft {
  name: string;
  kind: CampaignKind;
  audience: 'segment' | 'filter';
  segmentId: string;
  /** The filter, already turned from the builder's rows into the segments language. */
  filter: Record<string, unknown>;
  variants: VariantDraft[];
  /** `template name|language` of an approved template (utility). */
  template: string;
  parameters: string[];
  /** A local date-time (`2026-12-24T09:00`), or empty: start when started. */
  scheduleAt: string;
  maxPerSecond: number;
}

/** A message as the Send API takes it: a text, or a button template when it has link buttons. */
export function messageOf(v: VariantDraft): Record<string, unknown> {
  const buttons = v.buttons
    .filter((b) => b.title.trim() !== '' || b.url.trim() !== '')
    .map((b) => ({ type: 'web_url', title: b.title.trim(), url: b.url.trim() }));
  if (buttons.length === 0) return { text: v.text };
  return { attachment: { type: 'template', payload: { template_type: 'button', text: v.text, buttons } } };
}

/** The create body the editor sends: `message` for one variant, `variants` for an A/B test. */
export function createBody(d: EditorDraft, localToIso: (local: string) => string): Record<string, unknown> {
  const body: Record<string, unknown> = { name: d.name, kind: d.kind, max_per_second: d.maxPerSecond };
  if (d.audience === 'segment') body.segment_id = d.segmentId;
  else body.filter = d.filter;
  if (d.kind === 'utility') {
    const [name = '', language = ''] = d.template.split('|');
    body.template = { name, language, parameters: d.parameters };
  } else if (d.variants.length === 1) body.message = messageOf(d.variants[0]!);
  else body.variants = d.variants.map((v) => ({ weight: v.weight, message: messageOf(v) }));
  if (d.scheduleAt) body.schedule_at = localToIso(d.scheduleAt);
  return body;
}

/** The variables `{{1}}…{{n}}` a template's body holds: how many values it needs. */
export function templateSlots(t: Pick<MessageTemplate, 'components'>): number {
  const body = t.components.find((c) => c.type === 'BODY')?.text ?? '';
  let n = 0;
  for (const m of body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) n = Math.max(n, Number(m[1]));
  return n;
}

/**
 * The editor field an API refusal belongs to: the field the API names (details.field, or the body path of a schema
 * error), or the field the refusal's reason is about; `form` when it is about the whole.
 */
export function fieldOfError(err: { message: string; details?: Record<string, unknown> }): string {
  const reason = typeof err.details?.reason === 'string' ? err.details.reason : '';
  const byReason: Record<string, string> = {
    template_required: 'template',
    template_not_approved: 'template',
    utility_requires_template: 'template',
    promotional_content: 'template',
    quick_replies_not_allowed: 'template',
    marketing_not_enabled: 'kind',
    message_required: 'message',
    unknown_variable: 'message',
    audience_required: 'audience',
    invalid_name: 'name',
    invalid_schedule: 'schedule_at',
    invalid_variants: 'variants',
  };
  if (byReason[reason]) return byReason[reason];
  const field = typeof err.details?.field === 'string' ? err.details.field : null;
  const path = field ?? /\bbody\/(\w+)/.exec(err.message)?.[1] ?? null;
  if (path === null) return 'form';
  if (path === 'segment_id' || path === 'filter') return 'audience';
  if (path === 'variants') return 'message';
  return path;
}

/** The titles of a message's buttons (a button template's), as a preview shows them under the text. */
export function buttonTitles(message: Record<string, unknown> | undefined): string[] {
  const payload = (message?.attachment as { payload?: { buttons?: { title?: unknown }[] } } | undefined)?.payload;
  return (payload?.buttons ?? []).flatMap((b) => (typeof b.title === 'string' ? [b.title] : []));
}

/** An editor message from a stored one: its text, and a button template's link buttons. */
export function variantOf(message: Record<string, unknown> | undefined, weight = 1): VariantDraft {
  const payload = (
    message?.attachment as
      | { type?: string; payload?: { template_type?: string; text?: unknown; buttons?: Record<string, unknown>[] } }
      | undefined
  )?.payload;
  if (payload?.template_type === 'button')
    return {
      text: typeof payload.text === 'string' ? payload.text : '',
      buttons: (payload.buttons ?? [])
        .filter((b) => b.type === 'web_url')
        .map((b) => ({ title: String(b.title ?? ''), url: String(b.url ?? '') })),
      weight,
    };
  return { text: typeof message?.text === 'string' ? message.text : '', buttons: [], weight };
}

/**
 * The editor's fields from a saved draft (its filter as saved: the caller turns it into the builder's rows). A
 * `schedule_at` becomes a local date-time through `isoToLocal`.
 */
export function editorDraftOf(c: Campaign, isoToLocal: (iso: string) => string): EditorDraft {
  const parameters = Array.isArray(c.template?.parameters) ? c.template.parameters.map(String) : [];
  return {
    name: c.name,
    kind: c.kind,
    audience: c.segment_id === null ? 'filter' : 'segment',
    segmentId: c.segment_id ?? '',
    filter: c.filter ?? { all: [] },
    variants: c.variants.length ? c.variants.map((v) => variantOf(v.message, v.weight)) : [variantOf(undefined)],
    template: c.template ? `${c.template.name}|${c.template.language}` : '',
    parameters,
    scheduleAt: c.schedule_at ? isoToLocal(c.schedule_at) : '',
    maxPerSecond: c.max_per_second,
  };
}

/**
 * What the live preview still needs before it can ask, in plain words; null when the draft can be previewed. (The
 * API checks the rest and its refusal is shown in its own words.)
 */
export function previewBlocker(d: EditorDraft): string | null {
  if (d.audience === 'segment' && !d.segmentId) return 'Choose who it goes to: a saved segment, or a filter.';
  if (d.kind === 'utility' && !d.template) return 'Choose an approved template to see it as people will read it.';
  if (d.kind !== 'utility' && d.variants.some((v) => v.text.trim() === ''))
    return d.variants.length > 1
      ? 'Write every variant to see them as people will read them.'
      : 'Write the message to see it as people will read it.';
  return null;
}

/** The preview body of the editor's draft: the create body (the name only when there is one) and the chosen person. */
export function previewBody(
  d: EditorDraft,
  localToIso: (local: string) => string,
  contactId: string | null,
): Record<string, unknown> {
  const { name, ...body } = createBody(d, localToIso);
  return {
    ...(typeof name === 'string' && name.trim() !== '' ? { name } : {}),
    ...body,
    ...(contactId ? { contact_id: contactId } : {}),
  };
}

/** A refusal in the words a marketer reads: the API's sentence without the schema's preamble, capitalised. */
export function refusalWords(message: string): string {
  const m = message.replace(/^invalid request: /, '');
  return m.charAt(0).toUpperCase() + m.slice(1);
}
