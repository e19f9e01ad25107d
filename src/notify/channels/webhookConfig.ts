/** `webhook_configs` of a receiver: Alertmanager's webhook payload (webhook.ts). */
import { Type, type Static } from 'typebox';
import { NonEmpty, StringMap, strict, type IntegrationKind, type ParsedIntegration } from '../../alerting/config.ts';
import { integrationBase, integrationSchema, oneAuthorization } from './integrationConfig.ts';

export const WebhookConfigSchema = integrationSchema({
  url: NonEmpty,
  /** Cap on alerts per payload (0 = no cap); the rest are counted in truncatedAlerts. */
  max_alerts: Type.Optional(Type.Integer({ minimum: 0 })),
  headers: Type.Optional(StringMap),
  bearer_token: Type.Optional(NonEmpty),
  basic_auth: Type.Optional(Type.Object({ username: Type.String(), password: Type.String() }, strict)),
});

export interface WebhookIntegration extends ParsedIntegration {
  type: 'webhook';
  url: string;
  maxAlerts: number;
  headers: Record<string, string>;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
}

export const WEBHOOK_KIND: IntegrationKind<WebhookIntegration, Static<typeof WebhookConfigSchema>> = {
  key: 'webhook_configs',
  schema: WebhookConfigSchema,
  parse: (c, path) => {
    oneAuthorization(c, path);
    return {
      type: 'webhook',
      ...integrationBase(c, path),
      url: c.url,
      maxAlerts: c.max_alerts ?? 0,
      headers: { ...(c.headers ?? {}) },
      bearerToken: c.bearer_token,
      basicAuth: c.basic_auth,
    };
  },
};
