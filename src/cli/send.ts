import { Command } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { presentQueuedDelivery } from '../modules/messaging/delivery.presenter.ts';
import { sendMessage } from '../modules/messaging/send-message.ts';
import { print } from './output.ts';
import { withApp } from './with-app.ts';

/** `pagescope send`: queues one message to a contact through the same policy and outbox as the API. */
export function sendCommand(): Command {
  return new Command('send')
    .description('queue a message to a contact (checked against the sending policy; the worker sends it)')
    .requiredOption('--contact <id>', 'the contact id (ct_…), never a PSID')
    .requiredOption('--text <text>', 'the message text (fewer than 2000 characters)')
    .option('--author <author>', 'agent (a human reply, may use HUMAN_AGENT up to 7 days) or automation', 'agent')
    .option('--idempotency-key <key>', 'the same key again returns the first delivery instead of sending twice')
    .action(async (opts: { contact: string; text: string; author: string; idempotencyKey?: string }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const { delivery, created } = await sendMessage(ctx, cliActor, opts.contact, {
          text: opts.text,
          author: opts.author,
          ...(opts.idempotencyKey !== undefined && { idempotency_key: opts.idempotencyKey }),
        });
        const view = presentQueuedDelivery(delivery);
        const label = delivery.tag ? `${delivery.messaging_type}/${delivery.tag}` : delivery.messaging_type;
        print(
          cmd,
          { delivery: view, created },
          `${created ? 'Queued' : 'Already queued'} delivery ${delivery.id} (${label}, ${delivery.status}).`,
        );
      }),
    );
}
