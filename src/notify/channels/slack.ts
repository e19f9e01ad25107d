/**
 * Slack incoming webhook with Block Kit. One message per notification:
 *
 *   header   "🔴 CRITICAL · failed_high scope=all"   (✅ RESOLVED when resolved)
 *   context  status and counts
 *   per alert (up to maxAlerts): title, fields observed / expected / score / since, explanation
 *   context  "…and N more alerts" when some are not shown
 *   actions  link buttons to the alert and the dashboard
 *
 * `text` carries a plain fallback for notifications and old clients. Severity is always given as
 * icon and word, never by colour alone. Slack answers 200 "ok"; 4xx bodies such as
 * "invalid_payload" or "no_service" are permanent; 429 (Retry-After) and 5xx are retried.
 */
import type { SlackIntegration } from './slackConfig.ts';
import type { Channel, DeliveryResult, Notification } from '../types.ts';
import {
  alertLink,
  alertTitle,
  explanationOf,
  groupTitle,
  headline,
  labelLine,
  RESOLVED_ICON,
  severityBadge,
  truncate,
} from './format.ts';
import { isHttpUrl, postJson, type HttpDeps } from './http.ts';

/** Escapes the three characters Slack mrkdwn treats as control characters. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

type Block = Record<string, unknown>;

export interface SlackPayload {
  text: string;
  blocks: Block[];
  channel?: string;
  username?: string;
  icon_emoji?: string;
}

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: truncate(text, 2000) });

/** Builds the Slack message for a notification (pure; exported for tests and docs). */
export function slackPayload(n: Notification, cfg: Pick<SlackIntegration, 'maxAlerts' | 'channel' | 'username' | 'iconEmoji'>): SlackPayload {
  const title = groupTitle(n);
  const head = headline(n);
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(`${head} · ${title}`, 150), emoji: true } }];

  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const resolved = n.alerts.length - firing;
  const counts = [firing > 0 ? `${firing} firing` : '', resolved > 0 ? `${resolved} resolved` : '', n.truncatedAlerts ? `${n.truncatedAlerts} more not shown` : '']
    .filter(Boolean)
    .join(' · ');
  blocks.push({ type: 'context', elements: [mrkdwn(`*${n.status.toUpperCase()}* · ${counts} · receiver \`${slackEscape(n.receiver)}\``)] });

  const shown = n.alerts.slice(0, Math.max(1, cfg.maxAlerts));
  for (const a of shown) {
    blocks.push({ type: 'divider' });
    const badge = a.status === 'resolved' ? `${RESOLVED_ICON} RESOLVED` : severityBadge(a.severity);
    const labels = labelLine(a.labels);
    blocks.push({
      type: 'section',
      text: mrkdwn(`${badge} *${slackEscape(alertTitle(a))}*${labels ? `\n${slackEscape(labels)}` : ''}`),
      fields: [
        mrkdwn(`*Observed*\n${slackEscape(a.annotations.observed ?? 'n/a')}`),
        mrkdwn(`*Expected*\n${slackEscape(a.annotations.expected ?? 'n/a')}`),
        mrkdwn(`*Score*\n${slackEscape(a.annotations.score ?? 'n/a')}`),
        mrkdwn(a.status === 'resolved' ? `*Ended*\n${a.endsAt}` : `*Since*\n${a.startsAt}`),
      ],
    });
    const ex = explanationOf(a);
    if (ex) blocks.push({ type: 'context', elements: [mrkdwn(slackEscape(ex))] });
  }
  const hidden = n.alerts.length - shown.length + (n.truncatedAlerts ?? 0);
  if (hidden > 0) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${hidden} more alert${hidden > 1 ? 's' : ''}, see the dashboard.`)] });

  const buttons: Block[] = [];
  const first = alertLink(n.alerts[0], n);
  const critical = n.status === 'firing' && n.alerts.some((a) => a.status === 'firing' && a.severity === 'critical');
  if (isHttpUrl(first)) {
    const btn: Block = { type: 'button', action_id: 'txmon_open_alert', text: { type: 'plain_text', text: n.alerts.length > 1 ? 'Open first alert' : 'Open alert' }, url: first };
    if (critical) btn.style = 'danger';
    buttons.push(btn);
  }
  if (isHttpUrl(n.externalUrl) && n.externalUrl !== first) {
    buttons.push({ type: 'button', action_id: 'txmon_open_dashboard', text: { type: 'plain_text', text: 'Dashboard' }, url: n.externalUrl });
  }
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });

  const lead = n.alerts[0] ? ` — ${alertTitle(n.alerts[0])}` : '';
  // The fallback is rendered as mrkdwn too: escaped like the blocks, so a label cannot inject
  // <!channel> or a link.
  const payload: SlackPayload = { text: truncate(slackEscape(`${head}: ${title}${lead}`), 3000), blocks };
  if (cfg.channel) payload.channel = cfg.channel;
  if (cfg.username) payload.username = cfg.username;
  if (cfg.iconEmoji) payload.icon_emoji = cfg.iconEmoji;
  return payload;
}

/** A Slack channel posting to an incoming-webhook URL (already env-resolved). */
export class SlackChannel implements Channel {
  readonly type = 'slack';
  readonly #cfg: SlackIntegration;
  readonly #deps: HttpDeps;

  constructor(cfg: SlackIntegration, deps: HttpDeps = {}) {
    this.#cfg = cfg;
    this.#deps = deps;
  }

  send(n: Notification, signal?: AbortSignal): Promise<DeliveryResult> {
    return postJson('slack', this.#cfg.webhookUrl, slackPayload(n, this.#cfg), {}, this.#cfg.timeoutMs, this.#deps, signal);
  }
}
