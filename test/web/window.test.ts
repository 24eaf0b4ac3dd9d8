import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { duration, replyState, windowState, type Recipient } from '../../web/src/window.ts';
import { clock } from '../../web/src/people.ts';

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

describe('whether the composer may reply, as the send policy decides it', () => {
  const active: Recipient = { status: 'active', consent: { replies: 'granted' } };
  const open = wrote(H);

  it('follows the window for a person who may be written to', () => {
    assert.equal(replyState(open, active, now).label, 'Standard window: 23 h 0 m left');
    assert.equal(replyState(wrote(8 * 24 * H), active, now).kind, 'closed');
  });

  it('refuses replies to a person who typed STOP, inside the window, saying how they opt in again', () => {
    const state = replyState(open, { ...active, consent: { replies: 'withdrawn' } }, now);
    assert.equal(state.kind, 'refused');
    assert.equal(state.label, 'Opted out: no replies');
    assert.match(
      state.kind === 'refused' ? state.reason : '',
      /write START to opt in again\. Notes are still allowed\./,
    );
  });

  it('refuses replies to a person Meta no longer delivers to, and to an erased one, before looking at consent', () => {
    const withdrawn = { replies: 'withdrawn' };
    assert.equal(
      replyState(open, { status: 'unreachable', consent: withdrawn }, now).label,
      'Not reachable: no replies',
    );
    assert.equal(replyState(open, { status: 'erased', consent: withdrawn }, now).label, 'Erased: no replies');
  });

  it('follows the window until the contact has loaded', () => {
    assert.equal(replyState(open, undefined, now).kind, 'standard');
  });
});

describe('times of day in the inbox', () => {
  it('are written on the 24-hour clock whatever the locale', () => {
    const afternoon = new Date(2026, 11, 3, 13, 17).toISOString();
    assert.equal(clock(afternoon), '13:17');
  });
});
