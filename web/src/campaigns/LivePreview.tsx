import { Alert, Badge, Box, Card, Group, List, Loader, Progress, Radio, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, ApiError } from '../api.ts';
import { ContactName } from './shared.tsx';
import {
  buttonTitles,
  reasonWords,
  refusalWords,
  variantName,
  type CampaignPreview,
  type PreviewedMessage,
} from './model.ts';

/** How long the editor waits after the last keystroke before asking again. */
const DEBOUNCE_MS = 400;

/** One message as a person reads it: a bubble with its text, and its buttons under it. */
function Bubble({ m }: { m: PreviewedMessage }) {
  return (
    <Box style={{ display: 'inline-block', maxWidth: '100%' }}>
      <Text size="sm" px="sm" py={6} bg="indigo.0" style={{ borderRadius: 12, whiteSpace: 'pre-wrap' }}>
        {m.text ?? (m.reason ? `Nothing: ${reasonWords(m.reason)}` : '(a template)')}
      </Text>
      {buttonTitles(m.message ?? undefined).map((t) => (
        <Text
          key={t}
          size="sm"
          ta="center"
          c="indigo.7"
          fw={500}
          py={4}
          mt={2}
          style={{ border: '1px solid var(--mantine-color-indigo-2)', borderRadius: 12 }}
        >
          {t}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The unsaved campaign previewed by the API (`POST …/campaigns/preview`), asked again 400 ms after the last change and
 * only once nothing is missing (`blocker`); the previous answer stays shown while the next one comes.
 */
export function useLivePreview(pageId: string, body: Record<string, unknown>, blocker: string | null) {
  const [debounced] = useDebouncedValue(blocker === null ? JSON.stringify(body) : null, DEBOUNCE_MS);
  const preview = useQuery({
    queryKey: ['campaign-live-preview', pageId, debounced],
    queryFn: () =>
      api<CampaignPreview>(`/api/v1/pages/${encodeURIComponent(pageId)}/campaigns/preview`, {
        method: 'POST',
        body: JSON.parse(debounced!) as unknown,
      }),
    enabled: debounced !== null && blocker === null,
    placeholderData: keepPreviousData,
    retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2,
    staleTime: 0,
  });
  const refused =
    blocker === null && preview.error instanceof ApiError && preview.error.status < 500 ? preview.error : null;
  return {
    preview,
    /** The API's refusal of the content as it stands (a 4xx), shown in its own words. */
    refused,
    data: blocker === null && !refused ? preview.data : undefined,
    busy: blocker === null && (preview.isFetching || debounced !== JSON.stringify(body)),
    blocker,
  };
}

export type LivePreviewState = ReturnType<typeof useLivePreview>;

/**
 * The editor's side panel: the campaign as it stands in the form (not saved yet), previewed by the API exactly as the
 * saved campaign would be: eligible of the audience, each exclusion in words with its count, and the message rendered
 * for a real person of the sample, another one chosen with the picker. Asks again 400 ms after the last change; a
 * refusal of the content is shown here in its own words, and `blocker` says what is missing before anything is asked.
 */
export function LivePreview({
  live,
  variants,
  contactId,
  onContact,
}: {
  live: LivePreviewState;
  variants: number;
  contactId: string | null;
  onContact: (id: string) => void;
}) {
  const { preview, refused, data: p, busy, blocker } = live;
  const left = p ? Object.entries(p.by_reason).sort((a, b) => b[1] - a[1]) : [];
  // The person chosen is shown at once from the sample (which holds their message), then from `contact` (which keeps
  // them shown when an edit of the audience takes them out of the sample).
  const chosen =
    contactId === null
      ? undefined
      : p?.contact?.contact_id === contactId
        ? p.contact
        : p?.sample.find((s) => s.contact_id === contactId);
  const shown = chosen ?? p?.sample[0];

  return (
    <Stack gap="sm">
      <Group justify="space-between" gap="xs">
        <div>
          <Text fw={600}>Live preview</Text>
          <Text size="xs" c="dimmed">
            As you edit: nothing is saved or sent.
          </Text>
        </div>
        {busy && p && <Loader size={14} aria-label="Updating the preview" />}
      </Group>
      <Card withBorder padding="md" component="section" aria-label="Live eligibility">
        {blocker !== null ? (
          <Text size="sm" c="dimmed">
            {blocker}
          </Text>
        ) : refused ? (
          <Alert color="orange" variant="light" p="xs" role="alert" aria-label="What to fix">
            <Text size="sm">{refusalWords(refused.message)}</Text>
          </Alert>
        ) : !p ? (
          preview.isError ? (
            <Text size="sm" c="red">
              The audience could not be checked just now; it is tried again as you edit.
            </Text>
          ) : (
            <Loader size="sm" aria-label="Checking the audience" />
          )
        ) : (
          <>
            <Text fw={600} mb={4} role="status" aria-label="Who it reaches">
              {p.eligible.toLocaleString('en')} of {p.recipients.toLocaleString('en')}{' '}
              {p.recipients === 1 ? 'person' : 'people'} can receive it now
            </Text>
            {p.recipients > 0 && (
              <Progress
                value={(p.eligible / p.recipients) * 100}
                color="green"
                mb="xs"
                aria-label={`${p.eligible} of ${p.recipients} can receive it`}
              />
            )}
            {left.length > 0 ? (
              <List size="sm" aria-label="Left out" spacing={2}>
                {left.map(([reason, n]) => (
                  <List.Item key={reason}>
                    {n.toLocaleString('en')} {reasonWords(reason)}
                  </List.Item>
                ))}
              </List>
            ) : (
              <Text size="sm" c="dimmed">
                {p.recipients === 0 ? 'The audience holds nobody now.' : 'Nobody is left out.'}
              </Text>
            )}
          </>
        )}
      </Card>
      <Card withBorder padding="md" component="section" aria-label="Live message preview">
        <Text fw={600} size="sm" mb="xs">
          As they will read it
        </Text>
        {!p || blocker !== null || refused ? (
          <Text size="sm" c="dimmed">
            {blocker ?? (refused ? 'Shown once the message can be sent.' : '…')}
          </Text>
        ) : !shown ? (
          <Text size="sm" c="dimmed">
            Nobody to show: nobody in the audience can receive it now.
          </Text>
        ) : (
          <Stack gap="xs">
            <Group gap={6}>
              <Text size="xs" fw={600}>
                <ContactName id={shown.contact_id} />
              </Text>
              {variants > 1 && (
                <Badge size="xs" variant="outline">
                  Variant {variantName(shown.variant)}
                </Badge>
              )}
            </Group>
            <div aria-label="Rendered message" role="group">
              <Bubble m={shown} />
            </div>
            {p.contact && p.contact.contact_id === shown.contact_id && p.contact.exclusion !== null && (
              <Text size="xs" c="orange.8">
                Left out if started now: {reasonWords(p.contact.exclusion)}.
              </Text>
            )}
            {p.sample.length > 1 && (
              <Radio.Group label="Show it for" size="xs" value={shown.contact_id} onChange={(id) => onContact(id)}>
                <Stack gap={4} mt={4}>
                  {p.sample.map((s) => (
                    <Radio key={s.contact_id} value={s.contact_id} label={<ContactName id={s.contact_id} />} />
                  ))}
                </Stack>
              </Radio.Group>
            )}
          </Stack>
        )}
        {contactId !== null && p && !p.sample.some((s) => s.contact_id === contactId) && (
          <Text size="xs" c="dimmed" mt={4}>
            This person is not among those it reaches now.
          </Text>
        )}
      </Card>
      <Text size="xs" c="dimmed">
        Counted as Start would count it; each person is checked again as their message is sent.
      </Text>
    </Stack>
  );
}
