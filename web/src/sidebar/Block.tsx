import type { ReactNode } from 'react';
import { Box, Text, Title } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';

/** One block of the contact's details: a titled region a person (and a test) finds by its name. */
export function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="section" aria-label={title}>
      <Title order={3} size="xs" tt="uppercase" c="dimmed" mb={6} style={{ letterSpacing: 0.5 }}>
        {title}
      </Title>
      {children}
    </Box>
  );
}

/**
 * What a block shows for a list it loads: a line while it loads or when it could not, the `empty` words when the
 * list is empty, and the list otherwise.
 */
export function LoadedList<T>({
  query,
  empty,
  children,
}: {
  query: UseQueryResult<{ data: T[] }>;
  empty: string;
  children: (list: T[]) => ReactNode;
}) {
  const note = (words: string) => (
    <Text size="sm" c="dimmed">
      {words}
    </Text>
  );
  if (query.isError) return note('Could not be loaded.');
  if (!query.data) return note('Loading…');
  if (query.data.data.length === 0) return note(empty);
  return <>{children(query.data.data)}</>;
}
