import { useState, type ReactNode } from 'react';
import { Box, ScrollArea, Tabs } from '@mantine/core';
import type { ScreenProps } from './sections.tsx';
import { managesSettings } from './settings/shared.tsx';
import { PagesPanel } from './settings/PagesPanel.tsx';
import { TeamPanel } from './settings/TeamPanel.tsx';
import { TokensPanel } from './settings/TokensPanel.tsx';
import { CannedPanel } from './settings/CannedPanel.tsx';
import { LabelsPanel } from './settings/LabelsPanel.tsx';
import { KeywordsPanel } from './settings/KeywordsPanel.tsx';
import { AttributesPanel } from './settings/AttributesPanel.tsx';
import { RulesPanel } from './settings/RulesPanel.tsx';
import { AssistantPanel } from './settings/AssistantPanel.tsx';
import { SequencesPanel } from './settings/SequencesPanel.tsx';
import { ProfilePanel } from './settings/ProfilePanel.tsx';

interface SettingsTab {
  id: string;
  label: string;
  /** Shown to owners and admins only: people who may not change them do not see them at all. */
  managersOnly: boolean;
  panel: (props: ScreenProps) => ReactNode;
}

/**
 * The tabs, in order. Everyone sees the Pages' token state, the canned responses, the labels, the attributes and the
 * consent keywords (read-only unless owner or admin: an agent needs to know why replies wait, which replies are saved,
 * which labels and attributes exist and which words opt people out); team members and API tokens are for owners
 * and admins alone.
 */
const TABS: SettingsTab[] = [
  { id: 'pages', label: 'Pages', managersOnly: false, panel: (p) => <PagesPanel {...p} /> },
  { id: 'team', label: 'Team members', managersOnly: true, panel: (p) => <TeamPanel {...p} /> },
  { id: 'tokens', label: 'API tokens', managersOnly: true, panel: (p) => <TokensPanel {...p} /> },
  { id: 'canned-responses', label: 'Canned responses', managersOnly: false, panel: (p) => <CannedPanel {...p} /> },
  { id: 'labels', label: 'Labels', managersOnly: false, panel: (p) => <LabelsPanel {...p} /> },
  { id: 'attributes', label: 'Attributes', managersOnly: false, panel: (p) => <AttributesPanel {...p} /> },
  { id: 'keywords', label: 'Opt-out keywords', managersOnly: false, panel: (p) => <KeywordsPanel {...p} /> },
  { id: 'automations', label: 'Automation rules', managersOnly: false, panel: (p) => <RulesPanel {...p} /> },
  { id: 'assistant', label: 'Assistant', managersOnly: false, panel: (p) => <AssistantPanel {...p} /> },
  { id: 'sequences', label: 'Sequences', managersOnly: false, panel: (p) => <SequencesPanel {...p} /> },
  { id: 'messenger-profile', label: 'Messenger profile', managersOnly: false, panel: (p) => <ProfilePanel {...p} /> },
];

/** Settings: one tab per subject, its address `#/settings/<tab>` so a tab can be linked to and the back button works. */
export function Settings(props: ScreenProps) {
  const { user, narrow, selected, onSelect } = props;
  const tabs = TABS.filter((t) => !t.managersOnly || managesSettings(user.role));
  // The tab in the address wins; choosing another Page in the header clears the address, and the tab stays.
  const [last, setLast] = useState<string | null>(selected);
  const current = tabs.find((t) => t.id === (selected ?? last)) ?? tabs[0]!;
  return (
    <ScrollArea style={{ flex: 1 }} type="auto">
      <Box p={narrow ? 'sm' : 'lg'} maw={1040} mx="auto">
        <Tabs
          value={current.id}
          onChange={(v) => {
            if (!v) return;
            setLast(v);
            onSelect(v);
          }}
          orientation={narrow ? 'horizontal' : 'vertical'}
          variant={narrow ? 'pills' : 'default'}
          keepMounted={false}
        >
          <Tabs.List aria-label="Settings" mb={narrow ? 'md' : undefined} mr={narrow ? undefined : 'lg'}>
            {tabs.map((t) => (
              <Tabs.Tab key={t.id} value={t.id}>
                {t.label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {tabs.map((t) => (
            <Tabs.Panel key={t.id} value={t.id} style={{ minWidth: 0 }}>
              {t.panel(props)}
            </Tabs.Panel>
          ))}
        </Tabs>
      </Box>
    </ScrollArea>
  );
}
