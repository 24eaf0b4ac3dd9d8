import { Badge, Group } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { dayTime } from '../people.ts';
import { Block, LoadedList } from './Block.tsx';

interface Interest {
  interest: string;
  kind: string;
  value: string;
  weight: number;
  first_at: string;
  last_at: string;
}

const SHOWN = 12;
const KIND: Record<string, string> = { category: 'Bought', payload: 'Clicked', ref: 'Came from' };

/**
 * What the person showed interest in (derived: categories bought, buttons pressed, links followed), strongest
 * first; each badge's title says how often and when it was first and last seen.
 */
export function InterestsCard({ contactId }: { contactId: string }) {
  const interests = useQuery({
    queryKey: ['contact', contactId, 'interests'],
    queryFn: () =>
      api<{ data: Interest[] }>(`/api/v1/contacts/${encodeURIComponent(contactId)}/interests?limit=${SHOWN}`),
  });
  return (
    <Block title="Interests">
      <LoadedList query={interests} empty="None seen yet.">
        {(list) => (
          <Group
            gap={4}
            component="ul"
            aria-label="Interests of this person"
            style={{ listStyle: 'none', padding: 0, margin: 0 }}
          >
            {list.map((i) => (
              <Badge
                key={i.interest}
                component="li"
                variant="light"
                color={i.kind === 'category' ? 'grape' : i.kind === 'ref' ? 'cyan' : 'indigo'}
                title={`${KIND[i.kind] ?? i.kind}: ${i.value}. ${i.weight}× — first ${dayTime(i.first_at)}, last ${dayTime(i.last_at)}`}
                style={{ textTransform: 'none', maxWidth: '100%' }}
              >
                {KIND[i.kind] ?? i.kind}: {i.value} · {i.weight}
              </Badge>
            ))}
          </Group>
        )}
      </LoadedList>
    </Block>
  );
}
