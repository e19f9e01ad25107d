/**
 * Email over SMTP with nodemailer. Subject in Alertmanager's style ("[FIRING:2] failed_high
 * scope=all"), an HTML part (every value escaped) and a text part, and a Message-ID derived from
 * the notification id, so a re-sent notification carries the same Message-ID and mail systems
 * (and people) can recognise it.
 *
 * Failures: an SMTP reply code 4xx (e.g. 451 try later, 421 busy) or a connection/timeout error
 * is retryable; a 5xx reply (550 no such user, 535 auth failed, 554 rejected) is permanent.
 */
import nodemailer from 'nodemailer';
import type { EmailIntegration } from './emailConfig.ts';
import type { Channel, DeliveryResult, Notification } from '../types.ts';
import {
  alertLink,
  alertTitle,
  explanationOf,
  groupTitle,
  headline,
  labelLine,
  plainText,
  RESOLVED_ICON,
  severityBadge,
  subjectLine,
} from './format.ts';
import { shortDetail } from './http.ts';

/** Escapes text for HTML element content and attribute values. */
export function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

/** `<txmon.<notification id>@<domain>>` — same notification, same Message-ID. */
export function emailMessageId(n: Pick<Notification, 'id'>, domain: string): string {
  return `<txmon.${n.id.replace(/[^A-Za-z0-9._-]/g, '')}@${domain}>`;
}

const SEVERITY_COLOUR: Record<string, string> = { critical: '#b42318', warning: '#b54708', info: '#175cd3', none: '#475467', resolved: '#067647' };

/** The HTML part: one block per alert, severity as icon and word (colour is decoration only). */
export function emailHtml(n: Notification): string {
  const e = htmlEscape;
  const rows = n.alerts
    .map((a) => {
      const key = a.status === 'resolved' ? 'resolved' : a.severity;
      const badge = a.status === 'resolved' ? `${RESOLVED_ICON} RESOLVED` : severityBadge(a.severity);
      const link = alertLink(a, n);
      const labels = labelLine(a.labels);
      const ex = explanationOf(a);
      return [
        `<tr><td style="border-left:4px solid ${SEVERITY_COLOUR[key]};padding:8px 12px">`,
        `<div><strong>${e(badge)}</strong> — <strong>${e(alertTitle(a))}</strong></div>`,
        `<div>Observed <strong>${e(a.annotations.observed ?? 'n/a')}</strong>, expected <strong>${e(a.annotations.expected ?? 'n/a')}</strong>, score ${e(a.annotations.score ?? 'n/a')}</div>`,
        ex ? `<div>${e(ex)}</div>` : '',
        labels ? `<div style="color:#475467">${e(labels)}</div>` : '',
        `<div style="color:#475467">Since ${e(a.startsAt)}${a.status === 'resolved' ? `, ended ${e(a.endsAt)}` : ''}</div>`,
        /^https?:\/\//.test(link) ? `<div><a href="${e(link)}">Open in txmon</a></div>` : '',
        `</td></tr>`,
      ].join('');
    })
    .join('\n');
  const more = n.truncatedAlerts ? `<p>…and ${n.truncatedAlerts} more alert(s).</p>` : '';
  const dash = /^https?:\/\//.test(n.externalUrl) ? `<p><a href="${e(n.externalUrl)}">Open the txmon dashboard</a></p>` : '';
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${e(headline(n))} · ${e(groupTitle(n))}</h2>`,
    `<table style="border-collapse:collapse">${rows}</table>`,
    more,
    dash,
    '</body></html>',
  ].join('\n');
}

/** Builds the message (pure; exported for tests and docs). */
export function emailMessage(n: Notification, cfg: Pick<EmailIntegration, 'from' | 'to' | 'messageIdDomain'>): EmailMessage {
  return {
    from: cfg.from,
    to: [...cfg.to],
    subject: subjectLine(n),
    text: plainText(n),
    html: emailHtml(n),
    messageId: emailMessageId(n, cfg.messageIdDomain),
    headers: { 'X-Txmon-Notification-Id': n.id, 'X-Txmon-Group-Key': n.groupKey, 'X-Txmon-Status': n.status },
  };
}

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETLS']);
const PERMANENT_CODES = new Set(['EAUTH', 'EENVELOPE', 'EMESSAGE', 'ECONFIG', 'EPROTOCOL']);

/** Classifies a nodemailer error: SMTP 4xx / connection trouble retryable, 5xx permanent. */
export function classifySmtpError(err: unknown): DeliveryResult {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string };
  const text = e?.response || e?.message || String(err);
  if (typeof e?.responseCode === 'number') {
    const code = e.responseCode;
    return { ok: false, retryable: code >= 400 && code < 500, status: code, detail: shortDetail(`email: SMTP ${code} ${text}`) };
  }
  const retryable = e?.code ? RETRYABLE_CODES.has(e.code) || !PERMANENT_CODES.has(e.code) : true;
  return { ok: false, retryable, detail: shortDetail(`email: ${e?.code ? `${e.code} ` : ''}${text}`) };
}

/** An SMTP email channel. A connection is opened per send (notifications are rare; no pool to leak). */
export class EmailChannel implements Channel {
  readonly type = 'email';
  readonly #cfg: EmailIntegration;

  constructor(cfg: EmailIntegration) {
    this.#cfg = cfg;
  }

  async send(n: Notification, signal?: AbortSignal): Promise<DeliveryResult> {
    if (signal?.aborted) return { ok: false, retryable: true, detail: 'email: aborted' };
    const c = this.#cfg;
    const transport = nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.secure,
      requireTLS: c.requireTls,
      auth: c.auth,
      name: c.hello,
      connectionTimeout: c.timeoutMs,
      greetingTimeout: c.timeoutMs,
      socketTimeout: c.timeoutMs,
    });
    const onAbort = () => transport.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const m = emailMessage(n, c);
      const info = await transport.sendMail({ from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId, headers: m.headers });
      const rejected = info.rejected?.length ?? 0;
      const detail = `email: ${info.response ?? 'sent'}${rejected > 0 ? ` (rejected ${rejected} of ${m.to.length} recipients)` : ''}`;
      const status = Number.parseInt(String(info.response ?? ''), 10);
      return { ok: true, retryable: false, ...(Number.isFinite(status) ? { status } : {}), detail: shortDetail(detail) };
    } catch (err) {
      if (signal?.aborted) return { ok: false, retryable: true, detail: 'email: aborted' };
      return classifySmtpError(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      transport.close();
    }
  }
}
