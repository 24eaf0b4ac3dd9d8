// The one place a utility campaign's template is resolved. Utility campaigns send an approved utility template
// (Meta's message_templates) per Page and language; until pagescope manages those templates, no template is
// approved and a utility campaign is refused with the reason, at creation and at start alike.
import type { Executor } from '../../db/types.ts';
import { AppError } from '../../errors.ts';

export interface CampaignTemplate {
  name: string;
  language: string;
  parameters?: unknown;
}

/** The approved template a utility campaign sends, or a 400 `template_not_approved` naming it. */
export async function resolveUtilityTemplate(
  _db: Executor,
  _pageId: string,
  template: CampaignTemplate,
): Promise<CampaignTemplate> {
  throw new AppError('validation_failed', `the utility template "${template.name}" is not approved for this Page`, {
    reason: 'template_not_approved',
    field: 'template',
  });
}
