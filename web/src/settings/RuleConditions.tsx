import { Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ListPage } from '../people.ts';
import { SegmentBuilder, filterOf, useSegmentCount, type Draft, type SegmentField } from '../SegmentBuilder.tsx';

/** The fields a Page's filters can use (the builder's own query, shared through the cache). */
export function useSegmentFields(pageId: string): SegmentField[] {
  const fields = useQuery({
    queryKey: ['segment-fields', pageId],
    queryFn: () => api<ListPage<SegmentField>>(`/api/v1/pages/${encodeURIComponent(pageId)}/segments/fields`),
  });
  return fields.data?.data ?? [];
}

/** The filter a rule's conditions say, or null when no condition is filled in (the rule is then for everyone). */
export function conditionsOf(draft: Draft, fields: SegmentField[]): Record<string, unknown> | null {
  const filter = filterOf(draft, fields);
  const items = filter[draft.match];
  return Array.isArray(items) && items.length === 0 ? null : filter;
}

/**
 * A rule's conditions in the segment builder: who the rule is for, with how many of the Page's contacts match today.
 */
export function RuleConditions({
  pageId,
  draft,
  onChange,
}: {
  pageId: string;
  draft: Draft;
  onChange: (d: Draft) => void;
}) {
  const fields = useSegmentFields(pageId);
  const count = useSegmentCount(pageId, fields.length > 0 ? filterOf(draft, fields) : null);
  return (
    <>
      <Text size="xs" c="dimmed">
        The rule acts only for people who match, checked when it runs (the count is who matches today).
      </Text>
      <SegmentBuilder pageId={pageId} draft={draft} onChange={onChange} count={count} canSave={false} />
    </>
  );
}
