import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { duration, windowState } from '../../web/src/window.ts';

const H = 3_600_000;
const now = Date.UTC(2026, 11, 3, 12, 0, 0);
const iso = (t: number) => new Date(t).toISOString();
const wrote = (ago: number) => ({
  last_user_action_at: iso(now - ago),
  standard_ends_at: iso(now - ago + 24 * H),
  human_agent_ends_at: iso(now - ago + 7 * 24 * H),
});

describe('the messaging window as the inbox words it', () => {
  it('counts the standard window down in hours and minutes', () => {
    assert.equal(windowState(wrote(20 * H + 48 * 60_000), now).label, 'Standard window: 3 h 12 m left');
  });

  it('after 24 hours, names the human agent window and the tag replies go with', () => {
    assert.equal(windowState(wrote(2 * 24 * H), now).label, 'Human agent window: 5 d left — replies go as HUMAN_AGENT');
  });

  it('after 7 days (or when the person never wrote), is closed with the reason, notes still allowed', () => {
    const closed = windowState(wrote(8 * 24 * H), now);
    assert.equal(closed.kind, 'closed');
    assert.equal(closed.label, 'Closed');
    assert.match(
      closed.kind === 'closed' ? closed.reason : '',
      /no reply until they write again\. Notes are still allowed\./,
    );
    const never = windowState({ last_user_action_at: null, standard_ends_at: null, human_agent_ends_at: null }, now);
    assert.match(never.kind === 'closed' ? never.reason : '', /never written/);
  });

  it('writes short durations in minutes and a day and a half with its hours', () => {
    assert.equal(duration(40 * 60_000), '40 m');
    assert.equal(duration(36 * H), '1 d 12 h');
    assert.equal(duration(-5), '0 m');
  });
});
