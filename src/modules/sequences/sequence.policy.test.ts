import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../errors.ts';
import { checkSteps, decideStep, delayMs, type StepFacts } from './sequence.policy.ts';

const NOW = Date.UTC(2026, 11, 3, 12);
const facts = (over: Partial<StepFacts> = {}): StepFacts => ({
  lastUserActionAt: NOW - 60_000,
  contactStatus: 'active',
  consent: { replies: 'granted', marketing: 'none' },
  marketingToken: null,
  pageStatus: 'active',
  kind: 'text',
  psidInvalid: false,
  handledByHuman: false,
  stopOnReply: true,
  ...over,
});
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError);
    return err.details?.field;
  }
  assert.fail('expected a validation error');
};

test('steps are checked whole: the 400 names the step and the field', () => {
  assert.equal(
    fieldOf(() => checkSteps([])),
    'steps',
  );
  assert.equal(
    fieldOf(() => checkSteps([{ message: { text: 'hi' }, delay: { weeks: 1 } }])),
    'steps[0].delay.weeks',
  );
  assert.equal(
    fieldOf(() => checkSteps([{ message: { text: 'hi' } }, { message: { text: 'Hi {{contact.frist_name}}' } }])),
    'steps[1].message',
  );
  assert.equal(
    fieldOf(() => checkSteps([{ message: { text: 'hi' }, send_window: { hours: ['18:00', '09:00'] } }])),
    'steps[0].send_window.hours',
  );
  assert.equal(
    fieldOf(() => checkSteps([{ message: { text: 'hi' }, send_window: { days: ['someday'] } }])),
    'steps[0].send_window.days',
  );
  const [step] = checkSteps([
    {
      delay: { hours: 24 },
      message: { text: 'Hi {{contact.first_name|there}}' },
      send_window: { days: ['fri', 'mon'] },
    },
  ]);
  assert.equal(delayMs(step!.delay), 24 * 60 * 60 * 1000);
  assert.deepEqual(step!.send_window, { days: ['mon', 'fri'], hours: ['00:00', '24:00'] });
});

test('a step inside the window goes; a human handling the conversation skips it and the person moves on', () => {
  assert.deepEqual(decideStep(facts(), NOW), { action: 'send' });
  assert.deepEqual(decideStep(facts({ handledByHuman: true }), NOW), {
    action: 'skip',
    reason: 'human_handling',
    leave: false,
  });
});

test('outside the window the step is skipped; the person leaves when only a reply (which ends it) could reopen it', () => {
  const closed = facts({ lastUserActionAt: NOW - 25 * 60 * 60 * 1000 });
  assert.deepEqual(decideStep(closed, NOW), { action: 'skip', reason: 'outside_window', leave: true });
  assert.deepEqual(decideStep({ ...closed, stopOnReply: false }, NOW), {
    action: 'skip',
    reason: 'outside_window',
    leave: false,
  });
});

test('an opted-out, erased or unreachable person leaves; a Page that cannot send makes the step wait', () => {
  assert.deepEqual(decideStep(facts({ consent: { replies: 'withdrawn', marketing: 'none' } }), NOW), {
    action: 'leave',
    reason: 'opted_out',
  });
  assert.deepEqual(decideStep(facts({ consent: { replies: 'granted', marketing: 'withdrawn' } }), NOW), {
    action: 'leave',
    reason: 'opted_out',
  });
  assert.deepEqual(decideStep(facts({ contactStatus: 'unreachable' }), NOW), {
    action: 'leave',
    reason: 'unreachable',
  });
  assert.deepEqual(decideStep(facts({ psidInvalid: true }), NOW), { action: 'leave', reason: 'unreachable' });
  assert.deepEqual(decideStep(facts({ pageStatus: 'token_invalid' }), NOW), {
    action: 'wait',
    reason: 'page_unauthorized',
  });
});
