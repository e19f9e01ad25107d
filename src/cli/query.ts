/**
 * `txmon query`: runs a named SQL query (src/store/queries/*.sql) against the store.
 *
 * ```
 * txmon query --list
 * txmon query failed_spikes --from 2025-07-14T00:00Z --to 2025-07-15 --param threshold=4
 * txmon query minute_rates --scope pos-12 --format csv --db postgres://…
 * ```
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { TxmonError } from '../domain/errors.ts';
import { openExistingStore } from '../store/open.ts';
import type { MaintenanceStore, QueryStore } from '../store/store.ts';
import {
  OUTPUT_FORMATS, formatRows, listNamedQueries, getNamedQuery, runNamedQuery, type NamedQuery, type OutputFormat, type QueryInput,
} from '../store/namedQueries.ts';

export interface QueryCommandOptions {
  list?: boolean;
  from?: string;
  to?: string;
  scope?: string;
  /** Extra parameters as "name=value". */
  param?: string[];
  format?: string;
  db?: string;
  config?: string;
}

export interface QueryCommandDeps {
  print?: (text: string) => void;
  /** A store to use instead of opening --db / the configured one (tests). */
  store?: QueryStore & Pick<MaintenanceStore, 'close'>;
}

/** The `--list` text: each query with its summary and parameters. */
export function describeQueries(queries: readonly NamedQuery[]): string {
  const out: string[] = [];
  for (const q of queries) {
    out.push(`${q.name}\n  ${q.summary}`);
    for (const p of q.params) {
      const extra = [
        p.default !== undefined ? `default ${p.default}` : 'required',
        p.values ? `one of ${p.values.join('|')}` : '',
        p.min !== undefined || p.max !== undefined ? `range ${p.min ?? ''}..${p.max ?? ''}` : '',
      ].filter(Boolean).join(', ');
      out.push(`    --${['from', 'to', 'scope'].includes(p.name) ? p.name : `param ${p.name}=…`}  (${p.type}; ${extra})  ${p.description}`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Splits repeated `--param k=v` values into an input record. */
export function parseParamOptions(params: readonly string[]): QueryInput {
  const input: QueryInput = {};
  for (const kv of params) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(kv);
    if (!m) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--param must be name=value, got ${JSON.stringify(kv)}`, { field: 'param', expected: 'name=value', got: kv });
    if (Object.hasOwn(input, m[1])) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--param ${m[1]} is given twice`, { field: m[1] });
    input[m[1]] = m[2];
  }
  return input;
}

/** Runs the command; returns the text it printed (tests). */
export async function runQueryCommand(name: string | undefined, opts: QueryCommandOptions, deps: QueryCommandDeps = {}): Promise<string> {
  const print = deps.print ?? ((text: string) => process.stdout.write(text));
  if (opts.list) {
    const text = describeQueries(listNamedQueries());
    print(text);
    return text;
  }
  if (!name) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `name a query or use --list; available: ${listNamedQueries().map((q) => q.name).join(', ')}`, { field: 'name' });
  }
  const format = (opts.format ?? 'table') as OutputFormat;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `--format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`, { field: 'format' });
  }
  getNamedQuery(name); // unknown names fail before the store is opened
  const input: QueryInput = parseParamOptions(opts.param ?? []);
  for (const k of ['from', 'to', 'scope'] as const) {
    if (opts[k] === undefined) continue;
    if (Object.hasOwn(input, k)) throw new TxmonError('TXMON_ERR_BAD_PARAMETER', `${k} is given both as --${k} and as --param ${k}=…`, { field: k });
    input[k] = opts[k];
  }
  const config = loadConfig(opts.config);
  const store = deps.store ?? (await openExistingStore(opts.db ?? config.storeUrl, opts.db !== undefined ? '--db' : 'store.url'));
  try {
    const result = await runNamedQuery(store, name, input, { timeZone: config.timeZone });
    const text = formatRows(result.columns, result.rows, format);
    print(text);
    return text;
  } finally {
    if (!deps.store) await store.close();
  }
}

function collect(value: string, previous: string[]): string[] {
  return previous.concat([value]);
}

/** Registers `txmon query`. */
export function register(program: Command): void {
  program
    .command('query')
    .description('run a named SQL query (see --list and docs/queries.md) on the store')
    .argument('[name]', 'query name, e.g. minute_aggregation')
    .option('--list', 'list the named queries with their parameters')
    .option('--from <time>', 'start of the range (ISO-8601 or epoch seconds; default per query)')
    .option('--to <time>', 'end of the range, exclusive (default: one minute after the newest data)')
    .option('--scope <scope>', 'scope of the series ("*" = every scope where the query allows it)')
    .option('--param <name=value>', 'another query parameter (repeatable)', collect, [])
    .option('--format <format>', `output: ${OUTPUT_FORMATS.join('|')}`, 'table')
    .option('--db <url>', 'store: SQLite file or postgres://… (default ./data/txmon.db, env TXMON_DATABASE_URL)')
    .option('-c, --config <file>', 'YAML configuration file')
    .action(async (name: string | undefined, opts: QueryCommandOptions) => {
      await runQueryCommand(name, opts);
    });
}
