/**
 * The `txmon` command line. Each command lives in its own file under src/cli/ and exports
 * `register(program)`; this file only wires them together.
 */
import { Command } from 'commander';
import { TxmonError } from '../domain/errors.ts';

type Registrar = { register(program: Command): void };

/** Command modules, in the order `txmon --help` lists them. */
const COMMANDS: Array<() => Promise<Registrar>> = [
  () => import('./serve.ts'),
  () => import('./replay.ts'),
  () => import('./import.ts'),
];

/** Optional command modules that other features add; missing files are skipped. */
const OPTIONAL_COMMANDS = ['./backtest.ts', './simulate.ts', './score.ts', './eval.ts', './checkout.ts', './report.ts', './query.ts', './notify.ts'];

export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program
    .name('txmon')
    .description('Real-time monitoring and alerting for payment transactions')
    .version('0.1.0')
    .showHelpAfterError();
  for (const load of COMMANDS) (await load()).register(program);
  for (const path of OPTIONAL_COMMANDS) {
    let mod: Registrar | undefined;
    try {
      mod = (await import(path)) as Registrar;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((err as Error).message).includes(path.slice(2))) throw err;
    }
    mod?.register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof TxmonError) {
      process.stderr.write(`txmon: ${err.code}: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}
