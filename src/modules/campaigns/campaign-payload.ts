// Buttons and quick replies of a campaign message carry the campaign in their payload, so that pressing one counts
// as the recipient's click: `~cp:<campaign id>~<payload as written>`. The ingest path reads the marker, records the
// click, and hands the payload as written to everything after it (history, automations), so a rule waiting for
// "MENU" matches a campaign's "MENU" button as it matches any other.

/** The longest payload Meta accepts on a postback button or a quick reply. */
export const MAX_PAYLOAD_CHARS = 1000;

const MARKER = /^~cp:(cp_[A-Za-z0-9]{1,60})~/;

/** The payload as sent for a campaign's button. */
export function campaignPayload(campaignId: string, payload: string): string {
  return `~cp:${campaignId}~${payload}`;
}

/** The campaign a payload carries and the payload as written; null for a payload with no marker. */
export function readCampaignPayload(payload: string): { campaignId: string; payload: string } | null {
  const m = MARKER.exec(payload);
  if (!m) return null;
  return { campaignId: m[1]!, payload: payload.slice(m[0].length) };
}

/** How many characters the marker takes for this campaign (its payloads must leave room for it). */
export function markerLength(campaignId: string): number {
  return campaignPayload(campaignId, '').length;
}

/** Every payload of the message's postback buttons and text quick replies, as written. */
export function messagePayloads(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(messagePayloads);
  if (typeof value !== 'object' || value === null) return [];
  const o = value as Record<string, unknown>;
  const own = isMarkable(o) ? [o.payload as string] : [];
  return [...own, ...Object.values(o).flatMap(messagePayloads)];
}

function isMarkable(o: Record<string, unknown>): boolean {
  return typeof o.payload === 'string' && (o.type === 'postback' || o.content_type === 'text');
}

/** A copy of the message whose postback buttons and text quick replies carry the campaign. */
export function markPayloads(value: unknown, campaignId: string): unknown {
  if (Array.isArray(value)) return value.map((v) => markPayloads(v, campaignId));
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, markPayloads(v, campaignId)]));
  if (isMarkable(o)) out.payload = campaignPayload(campaignId, o.payload as string);
  return out;
}
