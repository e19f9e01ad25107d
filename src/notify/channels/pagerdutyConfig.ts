/** `pagerduty_configs` of a receiver: PagerDuty Events API v2 (pagerduty.ts). */
import { Type, type Static } from 'typebox';
import { NonEmpty, type IntegrationKind, type ParsedIntegration } from '../../alerting/config.ts';
import { integrationBase, integrationSchema } from './integrationConfig.ts';

/** The Events API v2 endpoint when `url` is unset. */
export const PAGERDUTY_DEFAULT_URL = 'https://events.pagerduty.com/v2/enqueue';

export const PagerDutyConfigSchema = integrationSchema({
  routing_key: NonEmpty,
  /** Events API v2 endpoint. Default https://events.pagerduty.com/v2/enqueue. */
  url: Type.Optional(NonEmpty),
  source: Type.Optional(Type.String()),
  component: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  class: Type.Optional(Type.String()),
  client: Type.Optional(Type.String()),
  client_url: Type.Optional(Type.String()),
});

export interface PagerDutyIntegration extends ParsedIntegration {
  type: 'pagerduty';
  routingKey: string;
  url: string;
  source?: string;
  component?: string;
  group?: string;
  class?: string;
  client: string;
  clientUrl?: string;
}

export const PAGERDUTY_KIND: IntegrationKind<PagerDutyIntegration, Static<typeof PagerDutyConfigSchema>> = {
  key: 'pagerduty_configs',
  schema: PagerDutyConfigSchema,
  parse: (c, path) => ({
    type: 'pagerduty',
    ...integrationBase(c, path),
    routingKey: c.routing_key,
    url: c.url ?? PAGERDUTY_DEFAULT_URL,
    source: c.source,
    component: c.component,
    group: c.group,
    class: c.class,
    client: c.client ?? 'txmon',
    clientUrl: c.client_url,
  }),
};
