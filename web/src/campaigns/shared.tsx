import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { personName, type Contact } from '../people.ts';
import type { Campaign } from './model.ts';

/** The roles that create, preview and run campaigns (`campaigns:manage`): they see the section. */
export const CAMPAIGN_ROLES = ['owner', 'admin', 'marketer'];

/** A campaign with its figures (the list gives none): the list's rows and the open campaign share it. */
export function useCampaign(id: string | null) {
  return useQuery({
    queryKey: ['campaign', id],
    queryFn: () => api<Campaign>(`/api/v1/campaigns/${encodeURIComponent(id!)}`),
    enabled: id !== null,
  });
}

/** A contact's name as the contacts API gives it (shared with the contact screens' cache). */
export function ContactName({ id }: { id: string }) {
  const contact = useQuery({
    queryKey: ['contact', id],
    queryFn: () => api<Contact>(`/api/v1/contacts/${encodeURIComponent(id)}?identifiers=false`),
    staleTime: 300_000,
  });
  return <>{contact.data ? personName(contact.data) : `Customer …${id.slice(-4)}`}</>;
}
