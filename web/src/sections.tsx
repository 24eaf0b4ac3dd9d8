import { lazy, Suspense, type ReactNode } from 'react';
import type { Page, User } from './api.ts';
import { Inbox } from './Inbox.tsx';
import { Contacts } from './Contacts.tsx';
import { Privacy } from './Privacy.tsx';
import { Audit } from './Audit.tsx';
import { Settings } from './Settings.tsx';
import { CAMPAIGN_ROLES } from './campaigns/shared.tsx';

/** What every section's screen is given by the shell. */
export interface ScreenProps {
  user: User;
  /** The Page chosen in the header; a screen shows this Page's data only. */
  pageId: string | null;
  pages: Page[];
  narrow: boolean;
  /** The object named in the address (`#/<section>/<id>`), e.g. the open conversation. */
  selected: string | null;
  onSelect: (id: string | null, opts?: { replace?: boolean }) => void;
}

export interface Section {
  id: string;
  label: string;
  Screen: (props: ScreenProps) => ReactNode;
  /** Roles that see the section; every role when absent. */
  roles?: string[];
}

// The campaign screens (and their chart library) load when the section is first opened.
const CampaignsScreen = lazy(() => import('./campaigns/Campaigns.tsx').then((m) => ({ default: m.Campaigns })));
function Campaigns(props: ScreenProps) {
  return (
    <Suspense fallback={null}>
      <CampaignsScreen {...props} />
    </Suspense>
  );
}

/** The sections in the header, in order. */
export const SECTIONS: Section[] = [
  { id: 'inbox', label: 'Inbox', Screen: Inbox },
  { id: 'contacts', label: 'Contacts', Screen: Contacts },
  { id: 'campaigns', label: 'Campaigns', Screen: Campaigns, roles: CAMPAIGN_ROLES },
  { id: 'privacy', label: 'Privacy requests', Screen: Privacy, roles: ['owner', 'admin'] },
  { id: 'audit', label: 'Audit log', Screen: Audit, roles: ['owner', 'admin'] },
  { id: 'settings', label: 'Settings', Screen: Settings },
];

/** The keyboard shortcuts sheet (`?`). */
export const SHORTCUTS: [string, string][] = [
  ['j', 'Next conversation'],
  ['k', 'Previous conversation'],
  ['r', 'Reply'],
  ['n', 'Note'],
  ['a', 'Assign to me'],
  ['e', 'Resolve'],
  ['Ctrl K  ⌘K', 'Go to or do anything (the palette)'],
  ['?', 'This list'],
];
