import type { TableClassification } from '../classification.ts';

/** A label a Page's team defined: the names its conversations carry, with a colour for the inbox. */
export interface PageLabelTable {
  id: string;
  page_id: string;
  name: string;
  /** The name lower-cased: unique per Page, so "VIP" and "vip" are one label. */
  name_key: string;
  color: string;
  created_at: number;
  updated_at: number;
}

/** A Page's own consent keyword (normalised as the built-in ones are), working on that Page beside the built-ins. */
export interface PageConsentKeywordTable {
  page_id: string;
  keyword: string;
  kind: 'opt_out' | 'opt_in';
  created_at: number;
}

export interface SettingsTables {
  page_labels: PageLabelTable;
  page_consent_keywords: PageConsentKeywordTable;
}

export const SETTINGS_CLASSIFICATION: Record<keyof SettingsTables, TableClassification> = {
  page_labels: {
    idColumn: 'id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: {
      id: 'reference',
      page_id: 'reference',
      name: 'system',
      name_key: 'system',
      color: 'system',
      created_at: 'system',
      updated_at: 'system',
    },
  },
  page_consent_keywords: {
    idColumn: 'page_id',
    pageColumn: 'page_id',
    contactColumn: null,
    columns: { page_id: 'reference', keyword: 'system', kind: 'system', created_at: 'system' },
  },
};
