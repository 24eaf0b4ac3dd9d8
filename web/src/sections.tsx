import type { ReactNode } from 'react';
import type { Page, User } from './api.ts';
import { Inbox } from './Inbox.tsx';
import { Settings } from './Settings.tsx';

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

/** The sections in the header, in order. */
export const SECTIONS: Section[] = [
  { id: 'inbox', label: 'Inbox', Screen: Inbox },
  { id: 'settings', label: 'Settings', Screen: Settings, roles: ['owner', 'admin', 'agent', 'marketer', 'analyst'] },
];

/** The keyboard shortcuts sheet (`?`). */
export const SHORTCUTS: [string, string][] = [
  ['j', 'Next conversation'],
  ['k', 'Previous conversation'],
  ['r', 'Reply'],
  ['n', 'Note'],
  ['a', 'Assign to me'],
  ['e', 'Resolve'],
  ['?', 'This list'],
];
