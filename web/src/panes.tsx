import type { ReactNode } from 'react';
import { Box, ScrollArea, Stack } from '@mantine/core';

const RULE = '1px solid var(--mantine-color-gray-3)';

/** The list column of a list-and-detail screen: its filters on top, the list scrolling below; the whole width on a phone. */
export function ListPane({
  label,
  narrow,
  filters,
  children,
}: {
  label: string;
  narrow: boolean;
  filters: ReactNode;
  children: ReactNode;
}) {
  return (
    <Box
      component="section"
      aria-label={label}
      w={narrow ? '100%' : 380}
      style={{ borderRight: RULE, display: 'flex', flexDirection: 'column', minHeight: 0, flexShrink: 0 }}
    >
      <Stack gap="xs" p="sm" style={{ borderBottom: RULE }}>
        {filters}
      </Stack>
      <ScrollArea style={{ flex: 1 }}>{children}</ScrollArea>
    </Box>
  );
}

/** The detail column beside the list: what is open, or what to do when nothing is. */
export function DetailPane({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box
      component="section"
      aria-label={label}
      style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}
    >
      {children}
    </Box>
  );
}

/** What a detail column says while nothing is open. */
export function NothingOpen({ children }: { children: ReactNode }) {
  return (
    <Stack align="center" justify="center" h="100%" c="dimmed" gap={4}>
      {children}
    </Stack>
  );
}
