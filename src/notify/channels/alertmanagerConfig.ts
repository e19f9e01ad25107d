/**
 * `alertmanager_configs` of a receiver: push to existing Alertmanagers, POST <url>/api/v2/alerts,
 * re-posting firing alerts every resend_interval (alertmanager.ts).
 */
import { Type, type Static } from 'typebox';
import { Duration, durationAt, NonEmpty, type IntegrationKind, type ParsedIntegration } from '../../alerting/config.ts';
import { HTTP_AUTH_FIELDS, httpAuth, type HttpAuth, integrationBase, integrationSchema } from './integrationConfig.ts';

/** How often firing alerts are posted again when `resend_interval` is unset. */
export const ALERTMANAGER_DEFAULT_RESEND_INTERVAL_MS = 60_000;

export const AlertmanagerConfigSchema = integrationSchema({
  /** Alertmanager base URLs (e.g. http://alertmanager:9093); every one is sent every alert. */
  urls: Type.Array(NonEmpty, { minItems: 1 }),
  /** How often firing alerts are posted again so Alertmanager does not time them out. Default 1m. */
  resend_interval: Type.Optional(Duration),
  ...HTTP_AUTH_FIELDS,
});

export interface AlertmanagerIntegration extends ParsedIntegration, HttpAuth {
  type: 'alertmanager';
  /** Base URLs, no trailing slash. */
  urls: string[];
  resendIntervalMs: number;
}

export const ALERTMANAGER_KIND: IntegrationKind<AlertmanagerIntegration, Static<typeof AlertmanagerConfigSchema>> = {
  key: 'alertmanager_configs',
  schema: AlertmanagerConfigSchema,
  parse: (c, path) => {
    const auth = httpAuth(c, path); // checked before the common keys, as ever
    return {
      type: 'alertmanager',
      ...integrationBase(c, path),
      urls: c.urls.map((u) => u.replace(/\/+$/, '')),
      resendIntervalMs: durationAt(c.resend_interval, `${path}.resend_interval`, false) ?? ALERTMANAGER_DEFAULT_RESEND_INTERVAL_MS,
      ...auth,
    };
  },
};
