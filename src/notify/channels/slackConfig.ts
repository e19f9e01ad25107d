/** `slack_configs` of a receiver: the Slack incoming webhook (slack.ts). */
import { Type, type Static } from 'typebox';
import { NonEmpty, type IntegrationKind, type ParsedIntegration } from '../../alerting/config.ts';
import { integrationBase, integrationSchema } from './integrationConfig.ts';

/** Alerts shown in full in one message when `max_alerts` is unset. */
export const SLACK_DEFAULT_MAX_ALERTS = 5;

export const SlackConfigSchema = integrationSchema({
  webhook_url: NonEmpty,
  channel: Type.Optional(Type.String()),
  username: Type.Optional(Type.String()),
  icon_emoji: Type.Optional(Type.String()),
  /** Alerts shown in full in one message; the rest are counted. Default 5. */
  max_alerts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
});

export interface SlackIntegration extends ParsedIntegration {
  type: 'slack';
  webhookUrl: string;
  channel?: string;
  username?: string;
  iconEmoji?: string;
  maxAlerts: number;
}

export const SLACK_KIND: IntegrationKind<SlackIntegration, Static<typeof SlackConfigSchema>> = {
  key: 'slack_configs',
  schema: SlackConfigSchema,
  parse: (c, path) => ({
    type: 'slack',
    ...integrationBase(c, path),
    webhookUrl: c.webhook_url,
    channel: c.channel,
    username: c.username,
    iconEmoji: c.icon_emoji,
    maxAlerts: c.max_alerts ?? SLACK_DEFAULT_MAX_ALERTS,
  }),
};
