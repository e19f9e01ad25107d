/** `webhook_configs` of a receiver: Alertmanager's webhook payload (webhook.ts). */
import { Type, type Static } from 'typebox';
import { NonEmpty, type IntegrationKind, type ParsedIntegration } from '../../alerting/config.ts';
import { HTTP_AUTH_FIELDS, httpAuth, type HttpAuth, integrationBase, integrationSchema } from './integrationConfig.ts';

export const WebhookConfigSchema = integrationSchema({
  url: NonEmpty,
  /** Cap on alerts per payload (0 = no cap); the rest are counted in truncatedAlerts. */
  max_alerts: Type.Optional(Type.Integer({ minimum: 0 })),
  ...HTTP_AUTH_FIELDS,
});

export interface WebhookIntegration extends ParsedIntegration, HttpAuth {
  type: 'webhook';
  url: string;
  maxAlerts: number;
}

export const WEBHOOK_KIND: IntegrationKind<WebhookIntegration, Static<typeof WebhookConfigSchema>> = {
  key: 'webhook_configs',
  schema: WebhookConfigSchema,
  parse: (c, path) => {
    const auth = httpAuth(c, path); // checked before the common keys, as ever
    return { type: 'webhook', ...integrationBase(c, path), url: c.url, maxAlerts: c.max_alerts ?? 0, ...auth };
  },
};
