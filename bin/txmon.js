#!/usr/bin/env node
// Entry point of the `txmon` command. Node >= 22.18 runs the TypeScript sources directly
// (type stripping), so there is no build step.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { main } from '../src/cli/main.ts';

// A backtest makes a few short-lived objects per row for tens of millions of rows. With V8's
// default young generation many of them survive one scavenge and get copied; 32 MB semi-spaces
// make a backtest 6–15 % faster (bench/backtest.ts, docs/detection.md). V8 sizes its heap when the process starts,
// so the backtest runs in a child process started with the flag (unless the flag was given).
const YOUNG_GENERATION = '--max-semi-space-size=32';
const hasFlag = (args) => args.some((a) => a.startsWith('--max-semi-space-size'));

if (process.argv[2] === 'backtest' && !hasFlag(process.execArgv) && !hasFlag((process.env.NODE_OPTIONS ?? '').split(/\s+/))) {
  const child = spawnSync(process.execPath, [...process.execArgv, YOUNG_GENERATION, ...process.argv.slice(1)], { stdio: 'inherit' });
  if (child.error) {
    process.stderr.write(`txmon: ${child.error.message}\n`);
    process.exitCode = 1;
  } else {
    process.exitCode = child.status ?? 128 + (constants.signals[child.signal] ?? 0);
  }
} else {
  main(process.argv).catch((err) => {
    process.stderr.write(`txmon: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = process.exitCode || 1;
  });
}
