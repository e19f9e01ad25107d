/**
 * `txmon notify test [--receiver NAME] [--config F]` (the only receiver when there is one): sends a test notification through every
 * integration of one receiver and prints what each answered (status, detail). Exit code 1 when
 * any integration failed, so it can gate a deploy.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { TxmonError } from '../domain/errors.ts';
import { alertingConfigOf } from '../notify/service.ts';
import { createReceiverChannels } from '../notify/channels/index.ts';
import { buildNotification, type NotifiedAlert } from '../notify/types.ts';

/** The test alert: marked as a test everywhere a person will see it. */
export function testAlert(externalUrl: string, now: number): NotifiedAlert {
  return {
    status: 'firing',
    fingerprint: 'txmon-notify-test',
    labels: { alertname: 'txmon_notify_test', scope: 'test', severity: 'info' },
    annotations: { summary: 'txmon test notification — no action needed', description: 'Sent by `txmon notify test` to check this receiver.' },
    startsAt: new Date(now).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: `${externalUrl}/alerts`,
    severity: 'info',
  };
}

export function register(program: Command): void {
  const notify = program.command('notify').description('notification tools');
  notify
    .command('test')
    .description("send a test notification through a receiver's integrations and show what each answered")
    .option('-r, --receiver <name>', 'receiver name from the alerting config (default: the only receiver, when there is one)')
    .option('-c, --config <file>', 'YAML configuration file (default: built-in alerting defaults and TXMON_* env)')
    .action(async (opts: { receiver?: string; config?: string }) => {
      const config = loadConfig(opts.config);
      const alerting = alertingConfigOf(config.alerting, process.env, config.publicUrl ?? `http://localhost:${config.port}`);
      const names = alerting.receivers.map((r) => r.name).join(', ');
      if (opts.receiver === undefined && alerting.receivers.length !== 1) {
        throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--receiver is required when several receivers are configured: ${names}`, { field: 'receiver', expected: 'a configured receiver name' });
      }
      const receiver = opts.receiver === undefined ? alerting.receivers[0] : alerting.receivers.find((r) => r.name === opts.receiver);
      if (!receiver) {
        throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--receiver: no receiver named ${JSON.stringify(opts.receiver)}; configured: ${names}`, { field: 'receiver', expected: 'a configured receiver name', got: opts.receiver });
      }
      const integrations = createReceiverChannels(receiver, process.env, {}, `alerting.receivers[${alerting.receivers.indexOf(receiver)}]`);
      if (integrations.length === 0) {
        process.stdout.write(`receiver ${receiver.name} has no integrations (it drops everything)\n`);
        return;
      }
      const now = Date.now();
      const n = buildNotification({
        receiver: receiver.name,
        groupKey: `{}:{alertname="txmon_notify_test"}`,
        groupLabels: { alertname: 'txmon_notify_test' },
        alerts: [testAlert(alerting.externalUrl, now)],
        externalUrl: alerting.externalUrl,
        seq: now, // every test is a new notification, never deduplicated away
        test: true,
      });
      let failed = 0;
      for (const i of integrations) {
        const r = await i.channel.send(n);
        if (!r.ok) failed++;
        const status = r.status === undefined ? '' : ` status ${r.status}`;
        process.stdout.write(`${i.name}: ${r.ok ? 'ok' : r.retryable ? 'FAILED (retryable)' : 'FAILED'}${status} — ${r.detail}\n`);
      }
      if (failed > 0) process.exitCode = 1;
    });
}
