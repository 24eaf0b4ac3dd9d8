import { AppError } from '../../errors.ts';

// What the shop may send us as money and lines. Amounts are JSON numbers (doubles): they must be finite, not
// negative, and no larger than 2^53 so that every whole amount below it is exact.
export const MAX_AMOUNT = 2 ** 53;
export const CURRENCY_PATTERN = '^[A-Z]{3}$';
export const MAX_ITEMS = 500;
export const MAX_QUANTITY = 1_000_000;
export const MAX_EXTERNAL_ID = 128;
export const MAX_SKU = 128;
export const MAX_STATUS = 64;
export const MAX_TAG = 64;

const invalid = (field: string, message: string) => new AppError('validation_failed', message, { field });

/** A money amount: finite, ≥ 0, ≤ 2^53. */
export function checkAmount(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_AMOUNT)
    throw invalid(field, `${field} must be a finite number from 0 to 2^53`);
  return value;
}

/** An ISO 4217 code as the shop writes it: three uppercase letters. */
export function checkCurrency(value: string, field = 'currency'): string {
  if (!/^[A-Z]{3}$/.test(value)) throw invalid(field, `${field} must be three uppercase letters (ISO 4217, e.g. EUR)`);
  return value;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  price: number;
}

/** Order lines: 1 to 500, each with a sku, a whole quantity from 1 and a valid price. */
export function checkItems(items: readonly OrderLine[]): OrderLine[] {
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ITEMS)
    throw invalid('items', `items must hold 1 to ${MAX_ITEMS} lines`);
  return items.map((item, i) => {
    const sku = checkText(item.sku, `items/${i}/sku`, MAX_SKU);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY)
      throw invalid(`items/${i}/quantity`, `items/${i}/quantity must be a whole number from 1 to ${MAX_QUANTITY}`);
    return { sku, quantity: item.quantity, price: checkAmount(item.price, `items/${i}/price`) };
  });
}

/** A short identifier-like text: trimmed, 1 to `max` characters. */
export function checkText(value: string, field: string, max: number): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (v === '' || [...v].length > max) throw invalid(field, `${field} must be 1 to ${max} characters`);
  return v;
}

/** An RFC 3339 time as epoch ms. */
export function checkTime(value: string, field: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0) throw invalid(field, `${field} must be an RFC 3339 date-time from 1970`);
  return ms;
}

/** How a buyer's email or last name is compared: trimmed and lowercased, so "Silva " and "silva" are one. */
export function normaliseProof(value: string): string {
  return value.trim().toLowerCase();
}
