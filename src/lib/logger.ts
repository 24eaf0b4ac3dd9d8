import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Keys whose values are personal data or secrets wherever they appear in a log object. Redaction is a second line
 * of defence: code must not pass such values to the logger in the first place.
 */
const SECRET_KEYS = [
  'psid',
  'user_ref',
  'name',
  'first_name',
  'last_name',
  'text',
  'body',
  'payload',
  'token',
  'access_token',
  'owner_token',
  'authorization',
  'cookie',
  'secret',
  'app_secret',
  'master_key',
  'password',
  'signed_request',
];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
];

/** Path segments that are route words stay; anything that could be an identifier or token becomes `*`. */
export function redactUrl(url: string): string {
  const [path] = url.split('?', 1);
  const clean = (path ?? '')
    .split('/')
    .map((seg) => (seg === '' || /^[a-z_-]{1,32}$/i.test(seg) || /^v\d+(\.\d+)?$/.test(seg) ? seg : '*'))
    .join('/');
  return url.includes('?') ? `${clean}?*` : clean;
}

/** The product's logger: JSON lines, redacted, with request URLs stripped of identifiers and query strings. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          method: req.method,
          url: redactUrl(req.url ?? ''),
          id: req.id,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const NOT_SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/**
 * pino's JSON lines made readable for a person at a terminal: `19:34:13 WARN  message  key=value …`. It formats what
 * pino wrote, after redaction, so it shows nothing the JSON would not.
 */
export function readableLines(out: { write(s: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const time = new Date(Number(o.time)).toISOString().slice(11, 19);
      const level = (LEVEL_NAMES[Number(o.level)] ?? String(o.level)).padEnd(5);
      const rest = Object.entries(o)
        .filter(([k]) => !NOT_SHOWN.has(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      out.write(`${time} ${level} ${String(o.msg ?? '')}${rest.length > 0 ? `  ${rest.join(' ')}` : ''}\n`);
    },
  };
}

/** The server's logger: JSON lines, or readable ones (`pretty`, or `auto` when `out` is a terminal). */
export function createServerLogger(
  level: string,
  format: 'auto' | 'json' | 'pretty',
  out: NodeJS.WriteStream = process.stdout,
): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && out.isTTY === true);
  // JSON to the process's stdout goes through pino's own fast destination.
  return createLogger(
    level,
    pretty ? readableLines(out) : out === process.stdout ? undefined : (out as DestinationStream),
  );
}
