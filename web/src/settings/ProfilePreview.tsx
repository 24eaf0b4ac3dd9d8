import { useState } from 'react';
import { Box, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { personalise, type LocaleDraft } from './profile-form.ts';

const BLUE = '#0866ff';

/**
 * A Messenger-like phone screen of the profile being edited, before the person's first message: the Page, its
 * greeting, the ice breakers as chips, the Get Started button, and the composer with the persistent menu's button.
 */
export function ProfilePreview({
  pageName,
  shown,
  getStarted,
}: {
  pageName: string;
  shown: LocaleDraft;
  getStarted: boolean;
}) {
  const [menuOpen, setMenuOpen] = useState(true);
  const initial = pageName.trim().charAt(0).toUpperCase() || '?';
  const questions = shown.iceBreakers.filter((i) => i.question.trim() !== '');
  const items = shown.menu.filter((m) => m.title.trim() !== '');
  return (
    <Box
      role="figure"
      aria-label="Preview in Messenger"
      w={300}
      style={{
        border: '10px solid #1f2328',
        borderRadius: 32,
        overflow: 'hidden',
        background: 'white',
        display: 'flex',
        flexDirection: 'column',
        height: 580,
        boxShadow: '0 4px 16px rgba(0,0,0,0.12)',
      }}
    >
      <Group gap={8} px="sm" py={8} style={{ borderBottom: '1px solid #e4e6eb' }} wrap="nowrap">
        <Text size="sm" c={BLUE} fw={700} aria-hidden>
          ‹
        </Text>
        <Avatar initial={initial} size={28} />
        <Text size="sm" fw={600} truncate>
          {pageName}
        </Text>
      </Group>
      <Stack gap={10} px="sm" py="md" align="center" style={{ flex: 1, overflowY: 'auto' }}>
        <Avatar initial={initial} size={64} />
        <Text fw={700}>{pageName}</Text>
        <Text size="xs" c="dimmed" ta="center" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {shown.greeting.trim() ? personalise(shown.greeting) : 'No greeting: Messenger shows the Page alone.'}
        </Text>
        {questions.length > 0 && (
          <Stack component="ul" aria-label="Ice breakers in the preview" gap={6} p={0} m={0} w="100%">
            {questions.map((q, i) => (
              <Box
                component="li"
                key={i}
                style={{
                  listStyle: 'none',
                  border: `1px solid ${BLUE}`,
                  color: BLUE,
                  borderRadius: 18,
                  padding: '6px 12px',
                  fontSize: 13,
                  textAlign: 'center',
                  overflowWrap: 'anywhere',
                }}
              >
                {q.question}
              </Box>
            ))}
          </Stack>
        )}
      </Stack>
      {getStarted && (
        <Box px="sm" pb={8}>
          <Box ta="center" fw={600} fz="sm" py={8} style={{ background: BLUE, color: 'white', borderRadius: 20 }}>
            Get Started
          </Box>
        </Box>
      )}
      {items.length > 0 && menuOpen && (
        <Stack
          component="ul"
          aria-label="Menu in the preview"
          gap={0}
          p={0}
          m={0}
          style={{ borderTop: '1px solid #e4e6eb', maxHeight: 180, overflowY: 'auto' }}
        >
          {items.map((m, i) => (
            <Group
              component="li"
              key={i}
              justify="space-between"
              wrap="nowrap"
              px="sm"
              py={6}
              style={{ listStyle: 'none', borderBottom: '1px solid #f0f2f5' }}
            >
              <Text size="sm" truncate>
                {m.title}
              </Text>
              <Text size="xs" c="dimmed" aria-hidden>
                {m.type === 'web_url' ? '↗' : ''}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
      <Group gap={8} px="sm" py={8} wrap="nowrap" style={{ borderTop: '1px solid #e4e6eb' }}>
        {items.length > 0 && (
          <UnstyledButton
            aria-label={menuOpen ? 'Hide the menu in the preview' : 'Show the menu in the preview'}
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen(!menuOpen)}
            style={{ color: BLUE, fontSize: 20, lineHeight: 1 }}
          >
            ☰
          </UnstyledButton>
        )}
        <Box style={{ flex: 1, background: '#f0f2f5', borderRadius: 18, padding: '6px 12px', fontSize: 13 }} c="dimmed">
          {shown.composerDisabled && items.length > 0 ? 'Choose from the menu' : 'Aa'}
        </Box>
      </Group>
    </Box>
  );
}

function Avatar({ initial, size }: { initial: string; size: number }) {
  return (
    <Box
      aria-hidden
      style={{
        width: size,
        height: size,
        borderRadius: '50%',
        background: BLUE,
        color: 'white',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        fontWeight: 700,
        fontSize: size / 2.2,
        flex: 'none',
      }}
    >
      {initial}
    </Box>
  );
}
