/**
 * The log channel: one structured log line per notification through a pino-like logger
 * (`info(obj, msg)`). Always succeeds; it is the default receiver, so a fresh install shows what
 * it would have notified.
 */
import type { Channel, DeliveryResult, Notification } from '../types.ts';
import { alertFacts, subjectLine } from './format.ts';

/** The part of a pino logger the log channel needs. */
export interface NotifyLogger {
  info(obj: object, msg?: string): void;
}

/** A logger writing one JSON line per call to a sink (default: process.stdout). */
export function jsonLineLogger(write: (line: string) => void = (l) => process.stdout.write(l)): NotifyLogger {
  return {
    info(obj: object, msg?: string) {
      write(JSON.stringify({ level: 30, time: Date.now(), ...obj, msg }) + '\n');
    },
  };
}

/** The object logged for a notification (compact: no HTML, numbers as annotated). */
export function logRecord(n: Notification): Record<string, unknown> {
  return {
    event: 'notification',
    notification: {
      id: n.id,
      receiver: n.receiver,
      status: n.status,
      groupKey: n.groupKey,
      groupLabels: n.groupLabels,
      ...(n.truncatedAlerts ? { truncatedAlerts: n.truncatedAlerts } : {}),
      ...(n.test ? { test: true } : {}),
      alerts: n.alerts.map((a) => ({ fingerprint: a.fingerprint, ...alertFacts(a), startsAt: a.startsAt, endsAt: a.endsAt, url: a.generatorURL })),
    },
  };
}

export class LogChannel implements Channel {
  readonly type = 'log';
  readonly #logger: NotifyLogger;

  constructor(logger: NotifyLogger) {
    this.#logger = logger;
  }

  async send(n: Notification): Promise<DeliveryResult> {
    this.#logger.info(logRecord(n), subjectLine(n));
    return { ok: true, retryable: false, detail: `log: ${n.alerts.length} alert(s) logged` };
  }
}
