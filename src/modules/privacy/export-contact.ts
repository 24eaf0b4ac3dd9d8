import type { AppContext } from '../../kernel/context.ts';
import type { ColumnClass } from '../../db/classification.ts';
import type { Executor } from '../../db/types.ts';
import { toIso } from '../../lib/time.ts';
import { openContactField } from '../../crypto/contact-layer.ts';
import { mergeGroupIds } from '../contacts/contacts.repository.ts';
import { listDefinitionRows } from '../attributes/attributes.repository.ts';
import { readCanonical, readStoredValue } from '../attributes/attribute-values.ts';
import { personalTables, selectContactRows, type PersonalTable, type Row } from './personal-data.repository.ts';

export const EXPORT_FORMAT = 'pagescope.contact-export/v1';

export interface ContactExport {
  format: typeof EXPORT_FORMAT;
  generated_at: string;
  contact_id: string;
  page_id: string | null;
  psid: string | null;
  /** One entry per personal-data table of the registry, each a list of rows with their personal data decrypted. */
  tables: Record<string, Record<string, unknown>[]>;
  counts: Record<string, number>;
}

// Derived or operational values say nothing about the person and are left out; everything else is theirs.
const EXPORTED: ReadonlySet<ColumnClass> = new Set(['encrypted', 'personal', 'reference']);

/**
 * Builds the machine-readable export of every piece of personal data held about the person, decrypted, PSID and
 * every message included, by walking the data-classification registry: the contact's rows and those of every
 * record merged with it (`mergeGroupIds`; the requested contact's own row comes first). Reads only; the caller
 * audits.
 */
export async function buildContactExport(ctx: AppContext, db: Executor, contactId: string): Promise<ContactExport> {
  const tables: ContactExport['tables'] = {};
  const counts: ContactExport['counts'] = {};
  const records = await mergeGroupIds(db, contactId);
  for (const p of personalTables()) {
    // A row joining two of the person's records (their merge link) is found from both ends: listed once. Only such
    // tables repeat rows; in the others the id column need not be unique (a contact's tags share its id).
    const rows = new Map<unknown, Row>();
    for (const id of records)
      for (const row of await selectContactRows(db, p, id)) {
        const key = p.pointers.length > 0 ? row[p.t.idColumn] : rows.size;
        if (!rows.has(key)) rows.set(key, row);
      }
    tables[p.table] = [...rows.values()].map((row) => presentRow(ctx, p, row));
    counts[p.table] = rows.size;
  }
  if (tables.contact_attributes) await readableAttributes(db, tables.contact_attributes);
  const contact = tables.contacts?.[0];
  return {
    format: EXPORT_FORMAT,
    generated_at: toIso(ctx.clock.now())!,
    contact_id: contactId,
    page_id: typeof contact?.page_id === 'string' ? contact.page_id : null,
    psid: typeof contact?.psid === 'string' ? contact.psid : null,
    tables,
    counts,
  };
}

function presentRow(ctx: AppContext, p: PersonalTable, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const owner = String(row[p.t.contactColumn]);
  const pageId = p.t.pageColumn ? (row[p.t.pageColumn] as string | null) : null;
  for (const [column, cls] of Object.entries(p.t.columns)) {
    if (!EXPORTED.has(cls)) continue;
    const value = row[column];
    if (cls !== 'encrypted') {
      out[column] = column.endsWith('_at') && typeof value === 'number' ? toIso(value) : value;
      continue;
    }
    const name = column.replace(/_enc$/, '');
    if (value === null || value === undefined) {
      out[name] = null;
      continue;
    }
    try {
      out[name] = decode(
        openContactField(ctx, owner, String(value), {
          table: p.table,
          column,
          pageId,
          rowId: String(row[p.t.idColumn]),
        }),
      );
    } catch {
      // A damaged value is reported as such rather than failing the whole export.
      out[name] = null;
      out[`${name}_unreadable`] = true;
    }
  }
  return out;
}

/**
 * Attribute values as the person would read them, typed by their definitions: a date as a date rather than epoch
 * milliseconds, a yes/no as a boolean, a list as a list (the stored columns stay beside them).
 */
async function readableAttributes(db: Executor, rows: Record<string, unknown>[]): Promise<void> {
  const pages = [...new Set(rows.map((r) => String(r.page_id)))];
  const types = new Map((await listDefinitionRows(db, pages)).map((d) => [`${d.page_id} ${d.key}`, d.type]));
  for (const r of rows) {
    const type = types.get(`${String(r.page_id)} ${String(r.key)}`);
    if (!type) continue;
    const sealed = r.value;
    if (typeof sealed === 'string') r.value = readCanonical(type, sealed);
    else if (Array.isArray(sealed)) r.value = sealed;
    else if (sealed === null || sealed === undefined)
      r.value = readStoredValue(type, {
        text: typeof r.value_text === 'string' ? r.value_text : null,
        num: typeof r.value_num === 'number' ? r.value_num : null,
      });
  }
}

function decode(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
