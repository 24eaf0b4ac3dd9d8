import { AppError } from '../../errors.ts';

/** What a label name may be, on a conversation and in a definition alike. */
export const LABEL_NAME = /^[\p{L}\p{N}][\p{L}\p{N} _.:/-]{0,49}$/u;

export { LABEL_COLORS, type LabelColor } from '../../lib/label-colors.ts';

/** The key two spellings of one label share: "VIP" and "vip" are the same label. */
export function labelKey(name: string): string {
  return name.trim().toLowerCase();
}

export function validLabelName(name: string): string {
  const n = name.trim();
  if (!LABEL_NAME.test(n))
    throw new AppError(
      'validation_failed',
      'a label is 1–50 letters, digits, spaces or _ . : / - and starts with a letter or digit',
      { field: 'name' },
    );
  return n;
}
