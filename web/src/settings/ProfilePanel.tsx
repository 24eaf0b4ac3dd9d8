import { useState, type ReactNode } from 'react';
import {
  ActionIcon,
  Alert,
  Autocomplete,
  Badge,
  Box,
  Button,
  Checkbox,
  Fieldset,
  Group,
  NativeSelect,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, managesSettings, PanelHeader, when } from './shared.tsx';
import { ProfilePreview } from './ProfilePreview.tsx';
import {
  draftOf,
  emptyLocale,
  LIMITS,
  placeOf,
  requestOf,
  shownLocale,
  wordsOf,
  type LocaleDraft,
  type Place,
  type ProfileDraft,
  type ProfileView,
} from './profile-form.ts';

interface Push {
  status: 'pending' | 'pushed' | 'failed';
  pushed_at: string | null;
  next_attempt_at: string | null;
  error: { code: number | null; message: string } | null;
}

interface Profile extends ProfileView {
  push: Push | null;
  updated_at: string | null;
}

const LOCALE = /^[a-z]{2,3}_[A-Z]{2}$/;

/** What a person of this language sees: each property of theirs, or the default one where theirs is not set. */
function seenIn(draft: ProfileDraft, current: LocaleDraft): LocaleDraft {
  const fallback = draft.locales[0]!;
  return {
    ...current,
    greeting: current.greeting || fallback.greeting,
    iceBreakers: current.iceBreakers.length ? current.iceBreakers : fallback.iceBreakers,
    ...(current.menu.length === 0 && { menu: fallback.menu, composerDisabled: fallback.composerDisabled }),
  };
}
const COMMON_LOCALES = ['en_US', 'en_GB', 'fr_FR', 'es_ES', 'es_LA', 'pt_BR', 'pt_PT', 'de_DE', 'it_IT', 'nl_NL'];
const localeWords = (l: string) => (l === 'default' ? 'Default' : l);

/**
 * The Page's Messenger profile: Get Started, greeting, ice breakers and persistent menu per language, with a phone-like
 * preview that follows the form, and the state of the push to Meta. Owners and admins change it; others read it.
 */
export function ProfilePanel({ user, pageId, pages, narrow }: ScreenProps) {
  const pageName = pages.find((p) => p.id === pageId)?.name ?? 'this Page';
  const key = ['messenger-profile', pageId];
  const profile = useQuery({
    queryKey: key,
    queryFn: () => api<Profile>(`/api/v1/pages/${encodeURIComponent(pageId!)}/messenger-profile`),
    enabled: pageId !== null,
    // While a push waits, its state is asked again until Meta has it (or refused it).
    refetchInterval: (q) => (q.state.data?.push?.status === 'pending' ? 2_000 : false),
  });
  return (
    <>
      <PanelHeader title={`Messenger profile of ${pageName}`}>
        What people see in Messenger before they write to the Page: the greeting, up to four ice breakers (questions
        they can tap), the Get Started button and the menu beside the typing field. Saved changes go to Meta within a
        few seconds, at most ten times in ten minutes.
        {managesSettings(user.role) ? '' : ' Owners and admins change it.'}
      </PanelHeader>
      <ErrorNote error={profile.error} />
      {profile.data && pageId && (
        <ProfileEditor
          key={`${pageId}:${profile.data.updated_at ?? 'new'}`}
          pageId={pageId}
          pageName={pageName}
          profile={profile.data}
          manager={managesSettings(user.role)}
          narrow={narrow}
        />
      )}
    </>
  );
}

interface Problem {
  place: Place;
  text: string;
}

function ProfileEditor({
  pageId,
  pageName,
  profile,
  manager,
  narrow,
}: {
  pageId: string;
  pageName: string;
  profile: Profile;
  manager: boolean;
  narrow: boolean;
}) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<ProfileDraft>(() => draftOf(profile));
  const [locale, setLocale] = useState('default');
  const [adding, setAdding] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const current = shownLocale(draft, locale);
  const setCurrent = (patch: Partial<LocaleDraft>) =>
    setDraft((d) => ({
      ...d,
      locales: d.locales.map((l) => (l.locale === current.locale ? { ...l, ...patch } : l)),
    }));
  const save = useMutation({
    mutationFn: () => {
      const req = requestOf(draft);
      return api<Profile>(`/api/v1/pages/${encodeURIComponent(pageId)}/messenger-profile`, {
        method: 'PUT',
        body: req.body,
      }).catch((err: unknown) => {
        const field = err instanceof ApiError ? err.details.field : undefined;
        if (err instanceof ApiError && typeof field === 'string') {
          const place = placeOf(field, req.origin);
          setProblem({ place, text: wordsOf(err.message, field, place) });
          if (place.locale) setLocale(place.locale);
        }
        throw err;
      });
    },
    onMutate: () => setProblem(null),
    onSuccess: (saved) => queryClient.setQueryData(['messenger-profile', pageId], saved),
  });
  /** The refusal, where it belongs: this section (and item) of the language on screen, or the whole profile. */
  const note = (section: string, item: number | null = null): ReactNode => {
    const p = problem?.place;
    if (!p || p.section !== section || p.item !== item || (p.locale !== null && p.locale !== current.locale))
      return null;
    return (
      <Text size="xs" c="red" role="alert">
        {problem!.text}
      </Text>
    );
  };
  const known = new Set(['get_started', 'greeting', 'ice_breakers', 'persistent_menu']);
  const addLocale = () => {
    const l = adding.trim();
    if (!LOCALE.test(l) || draft.locales.some((x) => x.locale === l)) return;
    setDraft((d) => ({ ...d, locales: [...d.locales, emptyLocale(l)] }));
    setLocale(l);
    setAdding('');
  };

  const form = (
    <Stack
      component="form"
      aria-label="Messenger profile"
      gap="md"
      style={{ flex: '1 1 420px', minWidth: 0 }}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Box>
        <TextInput
          label="Get Started payload"
          description="The postback Messenger sends when a person presses Get Started; empty: no button (the menu needs one)"
          placeholder="GET_STARTED"
          maxLength={LIMITS.payload}
          readOnly={!manager}
          value={draft.getStarted}
          onChange={(e) => setDraft({ ...draft, getStarted: e.currentTarget.value })}
        />
        {note('get_started')}
      </Box>
      <Stack gap={6}>
        <Text size="sm" fw={500} id="profile-languages">
          Language
        </Text>
        <Group gap="xs" align="center">
          <SegmentedControl
            aria-labelledby="profile-languages"
            value={current.locale}
            onChange={setLocale}
            data={draft.locales.map((l) => ({ value: l.locale, label: localeWords(l.locale) }))}
          />
          {manager && current.locale !== 'default' && (
            <Button
              size="xs"
              variant="subtle"
              color="red"
              onClick={() => {
                setDraft((d) => ({ ...d, locales: d.locales.filter((l) => l.locale !== current.locale) }));
                setLocale('default');
              }}
            >
              Remove {current.locale}
            </Button>
          )}
        </Group>
        {manager && (
          <Group gap="xs" align="flex-start" wrap="nowrap">
            <Autocomplete
              aria-label="Language to add"
              placeholder="Add a language, e.g. fr_FR"
              data={COMMON_LOCALES.filter((l) => !draft.locales.some((x) => x.locale === l))}
              value={adding}
              onChange={setAdding}
              error={adding !== '' && !LOCALE.test(adding.trim()) ? 'a locale such as fr_FR' : undefined}
              style={{ flex: 1 }}
            />
            <Button variant="default" onClick={addLocale} disabled={!LOCALE.test(adding.trim())}>
              Add language
            </Button>
          </Group>
        )}
        <Text size="xs" c="dimmed">
          People see their own language when the Page has it, else Default.
        </Text>
      </Stack>
      <Box>
        <Textarea
          label={`Greeting (${localeWords(current.locale)})`}
          description={`${[...current.greeting].length} of ${LIMITS.greeting} characters · shown before the conversation starts; {{user_first_name}} becomes the person's first name`}
          autosize
          minRows={2}
          readOnly={!manager}
          value={current.greeting}
          error={[...current.greeting].length > LIMITS.greeting ? `at most ${LIMITS.greeting} characters` : undefined}
          onChange={(e) => setCurrent({ greeting: e.currentTarget.value })}
        />
        {manager && (
          <Button
            size="compact-xs"
            variant="subtle"
            mt={4}
            onClick={() => setCurrent({ greeting: `${current.greeting}{{user_first_name}}` })}
          >
            Insert first name
          </Button>
        )}
        {note('greeting')}
      </Box>
      <Fieldset legend={<Legend>{`Ice breakers (${localeWords(current.locale)})`}</Legend>} variant="unstyled">
        <Stack gap="xs">
          <Text size="xs" c={current.iceBreakers.length > LIMITS.iceBreakers ? 'red' : 'dimmed'}>
            {current.iceBreakers.length} of {LIMITS.iceBreakers} · questions a person can tap to start; each sends its
            payload
          </Text>
          {current.iceBreakers.map((q, i) => (
            <Stack key={i} gap={4}>
              <Group gap="xs" align="flex-start" wrap={narrow ? 'wrap' : 'nowrap'}>
                <TextInput
                  label={`Question ${i + 1}`}
                  description={`${[...q.question].length} of ${LIMITS.question}`}
                  maxLength={LIMITS.question}
                  readOnly={!manager}
                  value={q.question}
                  style={{ flex: 2, minWidth: 180 }}
                  onChange={(e) => {
                    const question = e.currentTarget.value;
                    setCurrent({ iceBreakers: current.iceBreakers.map((x, j) => (j === i ? { ...x, question } : x)) });
                  }}
                />
                <TextInput
                  label={`Payload ${i + 1}`}
                  description="sent when tapped"
                  maxLength={LIMITS.payload}
                  readOnly={!manager}
                  value={q.payload}
                  style={{ flex: 1, minWidth: 120 }}
                  onChange={(e) => {
                    const payload = e.currentTarget.value;
                    setCurrent({ iceBreakers: current.iceBreakers.map((x, j) => (j === i ? { ...x, payload } : x)) });
                  }}
                />
                {manager && (
                  <ActionIcon
                    mt={44}
                    variant="subtle"
                    color="gray"
                    aria-label={`Remove ice breaker ${i + 1}`}
                    onClick={() => setCurrent({ iceBreakers: current.iceBreakers.filter((_, j) => j !== i) })}
                  >
                    ✕
                  </ActionIcon>
                )}
              </Group>
              {note('ice_breakers', i)}
            </Stack>
          ))}
          {note('ice_breakers')}
          {manager && (
            <Group>
              <Button
                size="xs"
                variant="default"
                onClick={() => setCurrent({ iceBreakers: [...current.iceBreakers, { question: '', payload: '' }] })}
              >
                Add ice breaker
              </Button>
            </Group>
          )}
        </Stack>
      </Fieldset>
      <MenuFields current={current} manager={manager} narrow={narrow} setCurrent={setCurrent} note={note} />
      {manager && (
        <Stack gap="xs">
          {save.error && (!problem || !known.has(problem.place.section)) && <ErrorNote error={save.error} />}
          {save.error && problem && known.has(problem.place.section) && (
            <Alert color="red" variant="light" p="xs">
              Not saved: {problem.text}
              {problem.place.locale && draft.locales.length > 1
                ? ` (language: ${localeWords(problem.place.locale)})`
                : ''}
              .
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save and push to Meta
            </Button>
          </Group>
        </Stack>
      )}
      <PushState push={profile.push} />
    </Stack>
  );
  return (
    <Group align="flex-start" gap="lg" wrap={narrow ? 'wrap' : 'nowrap'}>
      {form}
      <Box style={{ position: narrow ? undefined : 'sticky', top: 0, flex: 'none' }} mx={narrow ? 'auto' : undefined}>
        <ProfilePreview
          pageName={pageName}
          shown={seenIn(draft, current)}
          getStarted={draft.getStarted.trim() !== ''}
        />
      </Box>
    </Group>
  );
}

function MenuFields({
  current,
  manager,
  narrow,
  setCurrent,
  note,
}: {
  current: LocaleDraft;
  manager: boolean;
  narrow: boolean;
  setCurrent: (patch: Partial<LocaleDraft>) => void;
  note: (section: string, item?: number | null) => ReactNode;
}) {
  const change = (i: number, patch: Partial<LocaleDraft['menu'][number]>) =>
    setCurrent({ menu: current.menu.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  return (
    <Fieldset legend={<Legend>{`Persistent menu (${localeWords(current.locale)})`}</Legend>} variant="unstyled">
      <Stack gap="xs">
        <Text size="xs" c={current.menu.length > LIMITS.menuItems ? 'red' : 'dimmed'}>
          {current.menu.length} of {LIMITS.menuItems} · always beside the typing field; a button sends its payload, a
          link opens a web page. Needs a Get Started payload.
        </Text>
        {current.menu.map((m, i) => (
          <Stack key={i} gap={4}>
            <Group gap="xs" align="flex-start" wrap={narrow ? 'wrap' : 'nowrap'}>
              <NativeSelect
                label="Type"
                aria-label={`Menu item ${i + 1} type`}
                description={m.type === 'web_url' ? 'opens a page' : 'sends a payload'}
                disabled={!manager}
                value={m.type}
                style={{ flex: 'none', width: 100 }}
                onChange={(e) => change(i, { type: e.currentTarget.value === 'web_url' ? 'web_url' : 'postback' })}
                data={[
                  { value: 'postback', label: 'Button' },
                  { value: 'web_url', label: 'Link' },
                ]}
              />
              <TextInput
                label={`Title ${i + 1}`}
                aria-label={`Menu item ${i + 1} title`}
                description={`${[...m.title].length} of ${LIMITS.title}`}
                maxLength={LIMITS.title}
                readOnly={!manager}
                value={m.title}
                style={{ flex: 1, minWidth: 140 }}
                onChange={(e) => change(i, { title: e.currentTarget.value })}
              />
              {m.type === 'web_url' ? (
                <TextInput
                  label="Address"
                  aria-label={`Menu item ${i + 1} address`}
                  description="https://…"
                  readOnly={!manager}
                  value={m.url}
                  style={{ flex: 1, minWidth: 140 }}
                  onChange={(e) => change(i, { url: e.currentTarget.value })}
                />
              ) : (
                <TextInput
                  label="Payload"
                  aria-label={`Menu item ${i + 1} payload`}
                  description="sent when pressed"
                  maxLength={LIMITS.payload}
                  readOnly={!manager}
                  value={m.payload}
                  style={{ flex: 1, minWidth: 140 }}
                  onChange={(e) => change(i, { payload: e.currentTarget.value })}
                />
              )}
              {manager && (
                <ActionIcon
                  mt={44}
                  variant="subtle"
                  color="gray"
                  aria-label={`Remove menu item ${i + 1}`}
                  onClick={() => setCurrent({ menu: current.menu.filter((_, j) => j !== i) })}
                >
                  ✕
                </ActionIcon>
              )}
            </Group>
            {note('persistent_menu', i)}
          </Stack>
        ))}
        {note('persistent_menu')}
        {manager && (
          <Group justify="space-between">
            <Button
              size="xs"
              variant="default"
              onClick={() =>
                setCurrent({ menu: [...current.menu, { type: 'postback', title: '', payload: '', url: '' }] })
              }
            >
              Add menu item
            </Button>
            {current.menu.length > 0 && (
              <Checkbox
                size="xs"
                label="Turn typing off: people use the menu only"
                disabled={!manager}
                checked={current.composerDisabled}
                onChange={(e) => setCurrent({ composerDisabled: e.currentTarget.checked })}
              />
            )}
          </Group>
        )}
      </Stack>
    </Fieldset>
  );
}

const Legend = ({ children }: { children: string }) => (
  <Text component="span" size="sm" style={{ fontWeight: 600 }}>
    {children}
  </Text>
);

/** Where the push to Meta stands, in words: waiting (and until when), pushed, held back by Meta's limit, or refused. */
function PushState({ push }: { push: Push | null }) {
  if (!push)
    return (
      <Text size="sm" c="dimmed" role="status" aria-label="Push to Meta">
        Never saved: Meta shows no profile for this Page.
      </Text>
    );
  // Meta answered 613 (its limit), or this Page's pushes already used up the last ten minutes' calls.
  const limited =
    push.status === 'pending' &&
    (push.error?.code === 613 ||
      push.error?.code === 4 ||
      (push.next_attempt_at !== null && Date.parse(push.next_attempt_at) - Date.now() > 10_000));
  const [color, label, words] =
    push.status === 'pushed'
      ? ['green', 'Pushed', `Meta has it since ${when(push.pushed_at)}.`]
      : push.status === 'failed'
        ? [
            'red',
            'Refused',
            `Meta refused it: ${push.error?.message ?? 'no reason given'}${push.error?.code ? ` (#${push.error.code})` : ''}. Change it and save again.`,
          ]
        : limited
          ? [
              'orange',
              'Rate-limited',
              `Meta's limit of 10 changes in 10 minutes: next attempt ${when(push.next_attempt_at)}.`,
            ]
          : [
              'blue',
              'Pending',
              push.error
                ? `Retrying after ${push.error.message}: next attempt ${when(push.next_attempt_at)}.`
                : `Going to Meta: next attempt ${when(push.next_attempt_at)}.`,
            ];
  return (
    <Group gap="xs" role="status" aria-label="Push to Meta" wrap="nowrap" align="center">
      <Badge color={color} variant="light" style={{ flex: 'none' }}>
        {label}
      </Badge>
      <Text size="sm">{words}</Text>
    </Group>
  );
}
