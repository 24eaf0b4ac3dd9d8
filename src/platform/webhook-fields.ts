/**
 * The Page webhook fields `pagescope pages subscribe` asks for unless told otherwise: every field whose events
 * pagescope applies, the paid Marketing Message API's included (a marketing campaign's figures count their
 * deliveries and failures only when Meta sends them).
 */
export const DEFAULT_WEBHOOK_FIELDS: readonly string[] = [
  'messages',
  'messaging_postbacks',
  'messaging_optins',
  'messaging_referrals',
  'message_deliveries',
  'message_reads',
  'message_echoes',
  'message_reactions',
  'messaging_handovers',
  'standby',
  'messaging_policy_enforcement',
  'messaging_account_linking',
  'marketing_message_deliveries',
  'marketing_message_delivery_failed',
  'marketing_message_echoes',
];
