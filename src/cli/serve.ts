/** `txmon serve`: the service (API, engine, dashboard), optionally with live demo traffic. */
import type { Command } from 'commander';
import { clusterSettings, loadConfig } from '../config/config.ts';
import { createService } from '../service.ts';
import { InvalidArgumentError } from 'commander';
import { port } from './options.ts';
import { TxmonError } from '../domain/errors.ts';

export type LogFormat = 'auto' | 'pretty' | 'json';

function logFormat(v: string): LogFormat {
  if (v !== 'auto' && v !== 'pretty' && v !== 'json') throw new InvalidArgumentError(`--log-format must be auto, pretty or json, got "${v}"`);
  return v;
}

/**
 * Fastify's logger options: pino JSON lines (for log collectors), or pino-pretty's coloured,
 * one-line-per-event output when a person reads the terminal (auto: stdout is a TTY).
 */
export function loggerOptions(level: string, format: LogFormat, isTty = Boolean(process.stdout.isTTY)): object {
  const pretty = format === 'pretty' || (format === 'auto' && isTty);
  if (!pretty) return { level };
  return {
    level,
    transport: { target: 'pino-pretty', options: { colorize: isTty, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,reqId', singleLine: true } },
  };
}

function partitionCount(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 1024) throw new InvalidArgumentError(`--partitions must be a whole number from 1 to 1024, got "${v}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('start the txmon service: ingest API, engine, alerts and dashboard')
    .option('-p, --port <port>', 'HTTP port (default 8080, env TXMON_PORT)', port)
    .option('--host <host>', 'listen address (default 127.0.0.1 without API tokens, else 0.0.0.0)')
    .option('--allow-open', 'allow a non-loopback --host without API tokens (an open API on the network)')
    .option('--db <url>', 'store: SQLite file, ":memory:" or postgres://… (default ./data/txmon.db, env TXMON_DATABASE_URL)')
    .option('-c, --config <file>', 'YAML configuration file (env TXMON_CONFIG)')
    .option('--demo', 'preload synthetic history and stream live demo traffic with occasional incidents')
    .option('--demo-interval <ms>', 'wall-clock milliseconds per simulated demo minute', (v) => Number(v), 2000)
    .option('--cluster <urls>', 'clustered mode: NATS JetStream servers, nats://HOST:PORT[,…] (needs a PostgreSQL --db; docs/scaling.md)')
    .option('--node-id <name>', 'clustered mode: this instance\'s name, unique in the cluster')
    .option('--partitions <n>', 'clustered mode: scope partitions (default 16; the same on every instance)', partitionCount)
    .option('--log-level <level>', 'log level (fatal, error, warn, info, debug)', 'info')
    .option('--log-format <format>', 'auto: human-readable on a terminal, JSON otherwise; or pretty, json (env TXMON_LOG_FORMAT)', logFormat, undefined)
    .action(async (opts) => {
      const configPath: string | undefined = opts.config ?? (process.env.TXMON_CONFIG || undefined);
      const config = loadConfig(configPath);
      if (opts.port !== undefined) config.port = opts.port;
      if (opts.host !== undefined) config.host = opts.host;
      if (opts.allowOpen) config.allowOpen = true;
      if (opts.db !== undefined) config.storeUrl = opts.db;
      if (opts.cluster !== undefined || opts.nodeId !== undefined || opts.partitions !== undefined) {
        const cluster = config.cluster ?? clusterSettings(config.raw.cluster);
        if (opts.cluster !== undefined) cluster.servers = String(opts.cluster).split(',').map((s) => s.trim()).filter((s) => s !== '');
        if (opts.nodeId !== undefined) cluster.nodeId = opts.nodeId;
        if (opts.partitions !== undefined) cluster.partitions = opts.partitions;
        if (cluster.servers.length === 0) throw new TxmonError('TXMON_ERR_CONFIG', '--node-id and --partitions need --cluster nats://HOST:PORT (or cluster.servers in the config file)');
        config.cluster = cluster;
      }
      const service = await createService({
        config, logger: loggerOptions(opts.logLevel, opts.logFormat ?? logFormat(process.env.TXMON_LOG_FORMAT ?? 'auto')),
        // SIGHUP and POST /-/reload read the file again (without --config there is nothing to reload).
        configSource: configPath ? () => loadConfig(configPath) : undefined,
      });
      let url: string;
      try {
        url = await service.listen();
      } catch (err) {
        await service.close();
        throw err;
      }
      service.app.log.info(`txmon listening on ${url} (dashboard ${url}/, API docs ${url}/docs, store ${service.ctx.store.dialect})`);
      let stopDemo: (() => Promise<void>) | undefined;
      if (opts.demo) {
        const { startDemo } = await import('../simulate/demo.ts');
        service.ctx.demo = { intervalMs: opts.demoInterval };
        stopDemo = await startDemo({ store: service.ctx.store, engine: service.ctx.engine }, { intervalMs: opts.demoInterval, log: (msg) => service.app.log.info(msg) });
      }
      const shutdown = async (signal: string) => {
        service.app.log.info(`${signal}: shutting down`);
        await stopDemo?.();
        await service.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      // As Alertmanager: SIGHUP reloads the alerting configuration, validated first.
      process.on('SIGHUP', () => {
        service.reload()
          .then((r) => service.app.log.info({ ...r }, 'SIGHUP: alerting configuration reloaded'))
          .catch((err) => service.app.log.error({ err: err instanceof Error ? err.message : String(err) }, 'SIGHUP: reload refused, the running configuration stays'));
      });
    });
}
