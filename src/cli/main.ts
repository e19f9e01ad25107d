/**
 * The `txmon` command line. Each command lives in its own file under src/cli/ and exports
 * `register(program)`; this file only wires them together.
 */
import { Command, CommanderError } from 'commander';
import { TxmonError } from '../domain/errors.ts';

/**
 * Exit codes of every command (README "CLI"):
 * - 0: done;
 * - 1: a runtime failure: a server or store that cannot be reached, a notification that failed,
 *   anything unexpected;
 * - 2: a usage error: unknown command or option, a bad option value, a missing or malformed
 *   input file, an invalid configuration. Nothing was done.
 */
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

/** Errors about what the user asked for (exit 2), as opposed to failures while doing it (exit 1). */
export function isUsageError(err: unknown): boolean {
  if (err instanceof CommanderError) return true;
  if (!(err instanceof TxmonError)) return false;
  // A client error (4xx), or txmon's own configuration (TXMON_ERR_CONFIG, a 500 to HTTP clients
  // but the user's to fix on the command line). Unreachable servers are 503: runtime failures.
  return err.code === 'TXMON_ERR_CONFIG' || (err.httpStatus >= 400 && err.httpStatus < 500);
}

type Registrar = { register(program: Command): void };

/**
 * Command modules by command name, in the order `txmon --help` lists them. Only the module of the
 * command being run is loaded (each one pulls in its own part of txmon: the server, the charts,
 * the detectors…), so `txmon simulate` does not pay for Fastify and ECharts; `txmon --help` and
 * unknown commands load them all.
 */
const COMMANDS: Array<[name: string, path: string, optional: boolean]> = [
  ['serve', './serve.ts', false],
  ['replay', './replay.ts', false],
  ['import', './import.ts', false],
  // Optional command modules that other features add; missing files are skipped.
  ['backtest', './backtest.ts', true],
  ['simulate', './simulate.ts', true],
  ['score', './score.ts', true],
  ['eval', './eval.ts', true],
  ['checkout', './checkout.ts', true],
  ['report', './report.ts', true],
  ['query', './query.ts', true],
  ['notify', './notify.ts', true],
];

/**
 * The program with every command, or (`only`) with the one command named; `only: null` registers
 * none (enough for --version).
 */
export async function buildProgram(only?: string | null): Promise<Command> {
  const program = new Command();
  program
    .name('txmon')
    .description('Real-time monitoring and alerting for payment transactions')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  for (const [name, path, optional] of COMMANDS) {
    if (only !== undefined && only !== name) continue;
    let mod: Registrar | undefined;
    try {
      mod = (await import(path)) as Registrar;
    } catch (err) {
      if (!optional || (err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((err as Error).message).includes(path.slice(2))) throw err;
    }
    mod?.register(program);
  }
  return program;
}

/** Which commands `argv` needs: the one it names, none for a bare --version, else all. */
export function commandsFor(argv: string[]): string | null | undefined {
  const first = argv[2];
  if (first === '--version' || first === '-V') return argv.length === 3 ? null : undefined;
  return COMMANDS.some(([name]) => name === first) ? first : undefined;
}

/** Makes every (sub)command throw instead of exiting, so main() decides the exit code. */
function throwInsteadOfExit(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) throwInsteadOfExit(sub);
}

/** Runs the CLI; sets process.exitCode (0, 1 runtime, 2 usage) and prints one line per error. */
export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram(commandsFor(argv));
  throwInsteadOfExit(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; commander already printed its message.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    process.exitCode = isUsageError(err) ? EXIT_USAGE : EXIT_RUNTIME;
    if (err instanceof TxmonError) process.stderr.write(`txmon: ${err.code}: ${err.message}\n`);
    else {
      const e = err as Error;
      const cause = (e as { cause?: { message?: string } })?.cause?.message;
      process.stderr.write(`txmon: ${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}\n`);
      if (process.env.TXMON_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    }
  }
}
