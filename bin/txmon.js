#!/usr/bin/env node
// Entry point of the `txmon` command. Node >= 22.18 runs the TypeScript sources directly
// (type stripping), so there is no build step.
import { main } from '../src/cli/main.ts';

main(process.argv).catch((err) => {
  process.stderr.write(`txmon: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = process.exitCode || 1;
});
