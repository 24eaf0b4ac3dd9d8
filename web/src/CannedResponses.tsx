import { Paper, Text } from '@mantine/core';
import { renderTemplate, type TemplateValues } from '../../src/lib/template-variables.ts';

export interface CannedResponse {
  id: string;
  page_id: string;
  shortcut: string;
  text: string;
}

/** The `/word` being typed just before the caret (at the start or after a space), if any. */
export function slashAt(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)\/([a-z0-9_-]*)$/i.exec(text.slice(0, caret));
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, query: m[2]!.toLowerCase() };
}

/** Shortcuts starting with the query first, then those containing it; at most 8. */
export function matching(list: readonly CannedResponse[], query: string): CannedResponse[] {
  const starts = list.filter((r) => r.shortcut.startsWith(query));
  const contains = list.filter((r) => !r.shortcut.startsWith(query) && r.shortcut.includes(query));
  return [...starts, ...contains].slice(0, 8);
}

export const optionId = (r: CannedResponse) => `canned-${r.id}`;

/** The listbox under the composer's `/`: arrows move, Enter inserts, Esc closes (the keys are the composer's). */
export function CannedListbox({
  id,
  options,
  active,
  values,
  onPick,
}: {
  id: string;
  options: CannedResponse[];
  active: number;
  values: TemplateValues;
  onPick: (r: CannedResponse) => void;
}) {
  return (
    <Paper
      withBorder
      shadow="md"
      id={id}
      role="listbox"
      aria-label="Canned responses"
      style={{
        position: 'absolute',
        left: 0,
        right: 0,
        bottom: '100%',
        marginBottom: 4,
        zIndex: 10,
        overflow: 'hidden',
      }}
    >
      {options.map((r, i) => (
        <div
          key={r.id}
          id={optionId(r)}
          role="option"
          aria-selected={i === active}
          // The composer keeps the focus: a click picks without blurring it.
          onMouseDown={(e) => {
            e.preventDefault();
            onPick(r);
          }}
          style={{
            padding: '6px 10px',
            cursor: 'pointer',
            background: i === active ? 'var(--mantine-color-indigo-0)' : undefined,
          }}
        >
          <Text size="sm" fw={600} span>
            /{r.shortcut}
          </Text>{' '}
          <Text size="sm" c="dimmed" span lineClamp={1} style={{ display: 'inline' }}>
            {renderTemplate(r.text, values)}
          </Text>
        </div>
      ))}
    </Paper>
  );
}
