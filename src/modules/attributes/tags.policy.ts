// How many tags a contact may carry, and who is held to it.

export const MAX_TAGS_PER_CONTACT = 200;

/**
 * `enforced`: a write that would leave a contact past the cap is refused (an operator's request, an import row).
 * `exempt`: the write goes in anyway, for writers whose refusal would undo more than the tag (a webhook's inbound
 * hook shares the event's transaction: refusing the tag would roll back the event).
 */
export type TagCap = 'enforced' | 'exempt';

/** Whether a contact now carrying `count` tags breaks the cap for this writer. */
export function overTagCap(count: number, cap: TagCap): boolean {
  return cap === 'enforced' && count > MAX_TAGS_PER_CONTACT;
}
