/**
 * What the config of every integration kind shares. Each channel declares its own kind beside it
 * (`<channel>Config.ts`: the schema of one `<type>_configs` entry, its typed form, its defaults);
 * index.ts lists them, and alerting/config.ts assembles them into the `alerting:` section.
 */
import { Type, type TSchema } from 'typebox';
import { Duration, durationAt, fail, NonEmpty, StringMap, strict, type ParsedIntegration } from '../../alerting/config.ts';

/** Request timeout of an integration when `timeout` is unset. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Keys every integration accepts. */
const COMMON = {
  /** Also notify when the alert group resolves. Default true. */
  send_resolved: Type.Optional(Type.Boolean()),
  /** Request timeout. Default 10s. */
  timeout: Type.Optional(Duration),
};

/** The schema of one entry of a kind: the common keys, then `fields`, and no other key. */
export function integrationSchema<P extends Record<string, TSchema>>(fields: P) {
  return Type.Object({ ...COMMON, ...fields }, strict);
}

/** The common keys parsed: send_resolved (default true) and timeout (default 10s). */
export function integrationBase(c: { send_resolved?: boolean; timeout?: string }, path: string): Omit<ParsedIntegration, 'type'> {
  return {
    sendResolved: c.send_resolved ?? true,
    timeoutMs: durationAt(c.timeout, `${path}.timeout`, false) ?? DEFAULT_TIMEOUT_MS,
  };
}

/** Keys of the HTTP integrations that send to a server of the user's (webhook, alertmanager). */
export const HTTP_AUTH_FIELDS = {
  headers: Type.Optional(StringMap),
  bearer_token: Type.Optional(NonEmpty),
  basic_auth: Type.Optional(Type.Object({ username: Type.String(), password: Type.String() }, strict)),
};

/** {@link HTTP_AUTH_FIELDS} as written. */
interface HttpAuthInput {
  headers?: Record<string, string>;
  bearer_token?: string;
  basic_auth?: { username: string; password: string };
}

/** {@link HTTP_AUTH_FIELDS} parsed: the extra headers and at most one Authorization source. */
export interface HttpAuth {
  headers: Record<string, string>;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
}

/** {@link HTTP_AUTH_FIELDS} parsed; `bearer_token` and `basic_auth` both set is a config error (one Authorization header). */
export function httpAuth(c: HttpAuthInput, path: string): HttpAuth {
  if (c.bearer_token !== undefined && c.basic_auth !== undefined) {
    fail(path, 'bearer_token and basic_auth cannot both be set', 'at most one of bearer_token, basic_auth', Object.keys(c));
  }
  return { headers: { ...(c.headers ?? {}) }, bearerToken: c.bearer_token, basicAuth: c.basic_auth };
}
