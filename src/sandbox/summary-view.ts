import type { ActivitySummary } from '../modules/reports/read-summary.ts';

function counts(rec: Record<string, number>): string {
  const entries = Object.entries(rec).filter(([, n]) => n > 0);
  return entries.length ? entries.map(([k, n]) => `${k} ${n}`).join(', ') : '—';
}

/** The sandbox's live summary as a few aligned lines (no personal data: counts only). */
export function formatSummary(
  s: ActivitySummary & { automation: { sent: number; refused: Record<string, number> } },
  pages: { id: string; name: string }[],
): string {
  const refused: Record<string, number> = { ...s.refused_by_reason };
  for (const [k, n] of Object.entries(s.automation.refused)) refused[k] = (refused[k] ?? 0) + n;
  return [
    `contacts     ${pages.map((p) => `${p.name}: ${s.contacts_by_page[p.id] ?? 0}`).join('   ')}`,
    `messages     in ${s.messages.inbound}   out ${s.messages.outbound}`,
    `deliveries   ${counts(s.deliveries)}`,
    `opted out    ${s.opted_out}   unreachable ${s.unreachable}`,
    `refused      ${counts(refused)}`,
    ...(s.pages_token_invalid.length
      ? [
          `token invalid ${
            pages
              .filter((p) => s.pages_token_invalid.includes(p.id))
              .map((p) => p.name)
              .join(', ') || s.pages_token_invalid.join(', ')
          }: Meta rejected the Page token; sends wait for a new one (\`pagescope pages add\`)`,
        ]
      : []),
  ].join('\n');
}
