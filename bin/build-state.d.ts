/** The package's root folder. */
export const ROOT: string;
/** dist/.built: written by the build once dist/ is complete, with the time the build began. */
export const STAMP: string;
/**
 * Whether dist/ matches src/ (and web/ too with `web`): 'fresh', 'stale' (a source changed after the build began) or
 * 'missing'.
 */
export function buildState(root?: string, opts?: { web?: boolean }): 'fresh' | 'stale' | 'missing';
