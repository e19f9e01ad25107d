#!/usr/bin/env node
// Entry point of the `txmon` command. txmon runs its TypeScript sources directly on Node.js 24
// (type stripping, built-in node:sqlite), so there is no build step. This file is plain
// JavaScript that every Node can parse: it checks the version first and only then loads the
// TypeScript, so an older Node gets a message instead of ERR_UNKNOWN_FILE_EXTENSION ".ts".
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import module from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The one minimum Node.js major version (package.json engines, scripts/node24.sh, README). */
const MIN_NODE_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= MIN_NODE_MAJOR)) {
  const wrapper = fileURLToPath(new URL('../scripts/txmon', import.meta.url));
  process.stderr.write(
    `txmon: needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ${process.versions.node} (${process.execPath}).\n` +
    `  Run txmon through the wrapper, which installs Node ${MIN_NODE_MAJOR} from the npm registry (package node@${MIN_NODE_MAJOR}) once when needed:\n` +
    `    ${wrapper} ${process.argv.slice(2).join(' ')}\n` +
    `  or install Node.js ${MIN_NODE_MAJOR} (https://nodejs.org, nvm install ${MIN_NODE_MAJOR}) and run node bin/txmon.js again.\n`,
  );
  process.exit(1);
}

// A backtest makes a few short-lived objects per row for tens of millions of rows. With V8's
// default young generation many of them survive one scavenge and get copied; 32 MB semi-spaces
// make a long backtest 6–15 % faster (bench/backtest.ts, docs/detection.md). V8 sizes its heap
// when the process starts, so such a backtest runs in a child process started with the flag.
// Starting a second Node costs more than the flag saves on small files, so only inputs of at
// least BIG_INPUT_BYTES (≈ 1.5 M rows) get the child (issue #15: CLI start-up).
const YOUNG_GENERATION = '--max-semi-space-size=32';
const BIG_INPUT_BYTES = 64 * 1024 * 1024;
const hasFlag = (args) => args.some((a) => a.startsWith('--max-semi-space-size'));
const inputBytes = (args) => args.reduce((sum, a) => {
  try {
    const st = statSync(a, { throwIfNoEntry: false });
    return sum + (st?.isFile() ? st.size : 0);
  } catch {
    return sum;
  }
}, 0);

if (process.argv[2] === 'backtest' && inputBytes(process.argv.slice(3)) >= BIG_INPUT_BYTES && !hasFlag(process.execArgv) && !hasFlag((process.env.NODE_OPTIONS ?? '').split(/\s+/))) {
  const child = spawnSync(process.execPath, [...process.execArgv, YOUNG_GENERATION, ...process.argv.slice(1)], { stdio: 'inherit' });
  if (child.error) {
    process.stderr.write(`txmon: ${child.error.message}\n`);
    process.exitCode = 1;
  } else {
    process.exitCode = child.status ?? 128 + (constants.signals[child.signal] ?? 0);
  }
} else {
  // V8's compile cache (on disk, in the OS temp dir; NODE_DISABLE_COMPILE_CACHE=1 turns it off)
  // keeps the compiled code of txmon's modules between runs: start-up CPU roughly halves.
  module.enableCompileCache?.();
  const { main } = await import('../src/cli/main.ts');
  await main(process.argv);
}
