// The few cookie rules pagescope needs (one session cookie), written out rather than a dependency for them.

export const SESSION_COOKIE = 'pagescope_session';

/** The cookies of a `Cookie` header by name; the first of a repeated name wins, malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      // A value that is not valid percent-encoding is no session of ours.
    }
  }
  return out;
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on other sites' POSTs), Path=/, Secure
 * when the request came over https, living until the session's absolute end. `value` null clears it.
 */
export function sessionCookie(value: string | null, opts: { secure: boolean; maxAgeSeconds?: number }): string {
  const parts = [
    `${SESSION_COOKIE}=${value === null ? '' : encodeURIComponent(value)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
  ];
  parts.push(`Max-Age=${value === null ? 0 : Math.max(0, Math.floor(opts.maxAgeSeconds ?? 0))}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
