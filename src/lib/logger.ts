import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Keys whose values are personal data or secrets wherever they appear in a log object. Redaction is a second line
 * of defence: code must not pass such values to the logger in the first place.
 */
const SECRET_KEYS = [
  'psid', 'user_ref', 'name', 'first_name', 'last_name', 'text', 'body', 'payload', 'token', 'access_token',
  'owner_token', 'authorization', 'cookie', 'secret', 'app_secret', 'master_key', 'password', 'signed_request',
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
