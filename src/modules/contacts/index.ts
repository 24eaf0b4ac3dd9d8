// Contacts: one person on one Page, found by blind-indexed PSID; reads, merge/split and lazy profile enrichment.
export { getContact, findContactByPsid, listContacts, loadVisibleContact } from './read-contacts.ts';
export { mergeContacts, splitContact } from './merge-contacts.ts';
export { enrichProfiles, type EnrichOptions } from './enrich-profiles.ts';
export { resolveContact } from './resolve-contact.ts';
export { presentContact, type ContactView } from './contact.presenter.ts';
