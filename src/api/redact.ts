/**
 * Secrets never reach the log (issue #13 item 4): request URLs lose the values of credential query
 * parameters (`access_token`, `ticket`, `token`, …) and the logger's redaction paths blank the
 * Authorization and Cookie headers wherever a request or its headers are logged.
 */

/** Query parameters whose values are credentials. */
const SECRET_PARAMS = /^(access_token|token|ticket|api_key|apikey|key|password|secret)$/i;

/** The URL with the values of credential query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const parts = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    let decoded = name;
    try { decoded = decodeURIComponent(name); } catch { /* keep as is */ }
    return eq !== -1 && SECRET_PARAMS.test(decoded) ? `${name}=[redacted]` : pair;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

/** pino redaction paths for headers that carry credentials. */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]',
  'headers.authorization', 'headers.cookie', 'res.headers["set-cookie"]',
];

interface LoggedRequest { method?: string; url?: string; hostname?: string; host?: string; ip?: string; socket?: { remotePort?: number } }

/** Logger options: the caller's (level, stream…) plus the request serializer and redaction. */
export function loggerOptions(logger: boolean | object | undefined): false | Record<string, unknown> {
  if (!logger) return false;
  const base = logger === true ? {} : { ...(logger as Record<string, unknown>) };
  return {
    ...base,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      ...((base.serializers as object) ?? {}),
      req(req: LoggedRequest) {
        return { method: req.method, url: redactUrl(req.url ?? ''), host: req.host ?? req.hostname, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
      },
    },
  };
}
