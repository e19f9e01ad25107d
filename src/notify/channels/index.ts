/**
 * Channel factory. Turns parsed receiver configs (src/alerting/config.ts) into Channels, resolving
 * `${ENV_VAR}` references in every string setting first.
 *
 * Environment references (the one documented approach):
 * - `${NAME}` is replaced by the variable's value; a missing or empty variable is a config error
 *   naming the setting and the variable;
 * - `${NAME:-fallback}` uses `fallback` when the variable is missing or empty;
 * - `$$` writes a literal `$`. Any other `$` is kept as is.
 */
import type { IntegrationKind, ReceiverConfig as AnyReceiverConfig } from '../../alerting/config.ts';
import { TxmonError } from '../../domain/errors.ts';
import type { Channel, Notification } from '../types.ts';
import { EmailChannel } from './email.ts';
import { isHttpUrl, type HttpDeps } from './http.ts';
import { jsonLineLogger, LogChannel, type NotifyLogger } from './log.ts';
import { PagerDutyChannel } from './pagerduty.ts';
import { SlackChannel } from './slack.ts';
import { WebhookChannel } from './webhook.ts';
import { AlertmanagerChannel } from './alertmanager.ts';
import { ALERTMANAGER_KIND, type AlertmanagerIntegration } from './alertmanagerConfig.ts';
import { EMAIL_KIND, type EmailIntegration } from './emailConfig.ts';
import { LOG_KIND, type LogIntegration } from './logConfig.ts';
import { PAGERDUTY_KIND, type PagerDutyIntegration } from './pagerdutyConfig.ts';
import { SLACK_KIND, type SlackIntegration } from './slackConfig.ts';
import { WEBHOOK_KIND, type WebhookIntegration } from './webhookConfig.ts';

/** The parsed config of any integration txmon has a channel for. */
export type IntegrationConfig = SlackIntegration | PagerDutyIntegration | WebhookIntegration | EmailIntegration | LogIntegration | AlertmanagerIntegration;

/** A receiver with txmon's integrations. */
export type ReceiverConfig = AnyReceiverConfig<IntegrationConfig>;

/**
 * The integration kinds a receiver may hold (pass to parseAlertingConfig as `integrationKinds`),
 * in the order a receiver's integrations are listed.
 */
export const INTEGRATION_KINDS: readonly IntegrationKind<IntegrationConfig, unknown>[] = [SLACK_KIND, PAGERDUTY_KIND, WEBHOOK_KIND, EMAIL_KIND, LOG_KIND, ALERTMANAGER_KIND];

export type Env = Readonly<Record<string, string | undefined>>;

export interface ChannelDeps extends HttpDeps {
  /** Logger of the log channel; default: JSON lines on stdout. */
  logger?: NotifyLogger;
}

const REF = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Resolves `${NAME}`, `${NAME:-fallback}` and `$$` in one string (see module doc). */
export function interpolateEnv(value: string, env: Env, path = 'value'): string {
  return value.replace(REF, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$$') return '$';
    const v = env[name as string];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    throw new TxmonError('TXMON_ERR_CONFIG', `${path}: environment variable ${name} is not set (referenced as \${${name}})`, {
      field: path,
      expected: `environment variable ${name} to be set`,
      got: undefined,
    });
  });
}

/** Parsed configs are camelCase; errors name the YAML key (webhookUrl -> webhook_url). */
function yamlKey(k: string): string {
  return /^[a-z][a-zA-Z0-9]*$/.test(k) ? k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : k;
}

/** Applies interpolateEnv to every string inside a config object (recursively), keeping its shape. */
export function resolveEnvDeep<T>(value: T, env: Env, path: string): T {
  if (typeof value === 'string') return interpolateEnv(value, env, path) as T;
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvDeep(v, env, `${path}[${i}]`)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveEnvDeep(v, env, `${path}.${yamlKey(k)}`);
    return out as T;
  }
  return value;
}

function requireHttpUrl(url: string, path: string): void {
  if (!isHttpUrl(url)) {
    // Do not echo the value: it may be a secret webhook URL that is merely malformed.
    throw new TxmonError('TXMON_ERR_CONFIG', `${path}: must be an absolute http(s) URL`, { field: path, expected: 'an http:// or https:// URL' });
  }
}

/**
 * Creates the channel of one integration. `path` names it in errors, e.g.
 * `alerting.receivers[0].webhook_configs[0]`.
 */
export function createChannel(integration: IntegrationConfig, env: Env, deps: ChannelDeps = {}, path = 'integration'): Channel {
  const c = resolveEnvDeep(integration, env, path);
  switch (c.type) {
    case 'slack':
      requireHttpUrl(c.webhookUrl, `${path}.webhook_url`);
      return new SlackChannel(c, deps);
    case 'pagerduty':
      requireHttpUrl(c.url, `${path}.url`);
      return new PagerDutyChannel(c, deps);
    case 'webhook':
      requireHttpUrl(c.url, `${path}.url`);
      return new WebhookChannel(c, deps);
    case 'email':
      return new EmailChannel(c);
    case 'log':
      return new LogChannel(deps.logger ?? jsonLineLogger());
    case 'alertmanager':
      c.urls.forEach((u, i) => requireHttpUrl(u, `${path}.urls[${i}]`));
      return new AlertmanagerChannel(c, deps);
  }
}

/** One integration of a receiver, ready to send. */
export interface ReceiverIntegration {
  receiver: string;
  /** Position among the receiver's integrations (stable while the config is unchanged). */
  index: number;
  /** "<receiver>/<type>[<n>]", e.g. "oncall/webhook[0]" — use in the outbox and logs. */
  name: string;
  type: IntegrationConfig['type'];
  sendResolved: boolean;
  channel: Channel;
}

const YAML_KEY: Record<IntegrationConfig['type'], string> = {
  slack: 'slack_configs',
  pagerduty: 'pagerduty_configs',
  webhook: 'webhook_configs',
  email: 'email_configs',
  log: 'log_configs',
  alertmanager: 'alertmanager_configs',
};

/** Creates every integration of a receiver. `receiverPath` like `alerting.receivers[2]`. */
export function createReceiverChannels(receiver: ReceiverConfig, env: Env, deps: ChannelDeps = {}, receiverPath = `receiver ${receiver.name}`): ReceiverIntegration[] {
  const perType = new Map<string, number>();
  return receiver.integrations.map((integration, index) => {
    const n = perType.get(integration.type) ?? 0;
    perType.set(integration.type, n + 1);
    return {
      receiver: receiver.name,
      index,
      name: `${receiver.name}/${integration.type}[${n}]`,
      type: integration.type,
      sendResolved: integration.sendResolved,
      channel: createChannel(integration, env, deps, `${receiverPath}.${YAML_KEY[integration.type]}[${n}]`),
    };
  });
}

/** Creates the channels of every receiver (validating env references up front, at startup). */
export function createAllChannels(receivers: readonly ReceiverConfig[], env: Env, deps: ChannelDeps = {}, prefix = 'alerting'): Map<string, ReceiverIntegration[]> {
  const out = new Map<string, ReceiverIntegration[]>();
  receivers.forEach((r, i) => out.set(r.name, createReceiverChannels(r, env, deps, `${prefix}.receivers[${i}]`)));
  return out;
}

/**
 * What an integration should be sent, following send_resolved as Alertmanager does: with
 * send_resolved false, resolved alerts are dropped and a notification with no firing alert is
 * not sent at all (null). The id is kept, so idempotency still holds.
 */
export function notificationFor(integration: Pick<ReceiverIntegration, 'sendResolved'>, n: Notification): Notification | null {
  if (integration.sendResolved) return n;
  const firing = n.alerts.filter((a) => a.status === 'firing');
  if (firing.length === 0) return null;
  if (firing.length === n.alerts.length) return n;
  return { ...n, status: 'firing', alerts: firing };
}

export { AlertmanagerChannel, EmailChannel, LogChannel, PagerDutyChannel, SlackChannel, WebhookChannel };
