import { useEffect, useState } from 'react';
import { Badge, Button, Group, Stack, TagsInput, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, managesSettings, PanelHeader } from './shared.tsx';

interface Keywords {
  opt_out: string[];
  opt_in: string[];
  built_in: { opt_out: string[]; opt_in: string[] };
}

function Words({ words, color }: { words: string[]; color: string }) {
  if (words.length === 0)
    return (
      <Text size="sm" c="dimmed">
        None
      </Text>
    );
  return (
    <Group gap={6}>
      {words.map((w) => (
        <Badge key={w} variant="light" color={color} tt="none">
          {w}
        </Badge>
      ))}
    </Group>
  );
}

/**
 * The consent keywords of the Page chosen in the header: a message that is exactly one of them opts the person out
 * (or back in). The built-in words always work and are shown read-only; owners and admins add the Page's own.
 */
export function KeywordsPanel({ user, pageId, pages }: ScreenProps) {
  const queryClient = useQueryClient();
  const manager = managesSettings(user.role);
  const pageName = pages.find((p) => p.id === pageId)?.name ?? 'this Page';
  const url = `/api/v1/pages/${encodeURIComponent(pageId ?? '')}/consent-keywords`;
  const keywords = useQuery({
    queryKey: ['consent-keywords', pageId],
    queryFn: () => api<Keywords>(url),
    enabled: pageId !== null,
  });
  const [optOut, setOptOut] = useState<string[]>([]);
  const [optIn, setOptIn] = useState<string[]>([]);
  useEffect(() => {
    if (keywords.data) {
      setOptOut(keywords.data.opt_out);
      setOptIn(keywords.data.opt_in);
    }
  }, [keywords.data]);
  const save = useMutation({
    mutationFn: () => api<Keywords>(url, { method: 'PUT', body: { opt_out: optOut, opt_in: optIn } }),
    onSuccess: (data) => queryClient.setQueryData(['consent-keywords', pageId], data),
  });
  const changed =
    keywords.data !== undefined &&
    (optOut.join('\n') !== keywords.data.opt_out.join('\n') || optIn.join('\n') !== keywords.data.opt_in.join('\n'));

  return (
    <>
      <PanelHeader title={`Opt-out keywords of ${pageName}`}>
        When a person’s whole message is one of these words, they are opted out (or back in) at once and get one
        confirmation. “please stop the music” is not a keyword; “Stop!” is.
      </PanelHeader>
      <ErrorNote error={keywords.error} />
      {keywords.data && (
        <Stack gap="lg">
          <Stack
            component="form"
            gap="sm"
            aria-label="Keywords of this Page"
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate();
            }}
          >
            <Title order={3} size="h5">
              This Page’s own words
            </Title>
            {manager ? (
              <>
                <TagsInput
                  label="Opt-out keywords of this Page"
                  description="Press Enter after each word or phrase."
                  placeholder="e.g. NO MORE"
                  value={optOut}
                  onChange={setOptOut}
                  clearable
                />
                <TagsInput
                  label="Opt-in keywords of this Page"
                  placeholder="e.g. BACK ON"
                  value={optIn}
                  onChange={setOptIn}
                  clearable
                />
                <ErrorNote error={save.error} />
                <Group>
                  <Button type="submit" loading={save.isPending}>
                    Save keywords
                  </Button>
                  {save.isSuccess && !changed && (
                    <Text size="sm" c="green" role="status">
                      Saved.
                    </Text>
                  )}
                </Group>
              </>
            ) : (
              <>
                <Text size="sm" fw={500}>
                  Opt out
                </Text>
                <Words words={keywords.data.opt_out} color="red" />
                <Text size="sm" fw={500}>
                  Opt in
                </Text>
                <Words words={keywords.data.opt_in} color="green" />
                <Text size="xs" c="dimmed">
                  Owners and admins change them.
                </Text>
              </>
            )}
          </Stack>
          <Stack gap="sm" role="region" aria-label="Built-in keywords">
            <Title order={3} size="h5">
              Built-in words (always on)
            </Title>
            <Text size="sm" c="dimmed">
              English words work on every Page; the others work for people whose Messenger is in that language. They
              cannot be turned off: STOP always works.
            </Text>
            <Text size="sm" fw={500}>
              Opt out
            </Text>
            <Words words={keywords.data.built_in.opt_out} color="gray" />
            <Text size="sm" fw={500}>
              Opt in
            </Text>
            <Words words={keywords.data.built_in.opt_in} color="gray" />
          </Stack>
        </Stack>
      )}
    </>
  );
}
