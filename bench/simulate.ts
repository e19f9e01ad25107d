/**
 * Speed of the traffic simulator (`txmon simulate`, the demo, the synthetic benchmarks):
 *
 *   node bench/simulate.ts
 *
 * Fills 14 days of minutes for one scope (7 statuses per minute) and prints status-rows/s, best
 * of 3, with its ratio to a reference measured in the same run (a plain loop of Math.exp over
 * the same number of rows), so figures from different machines can be compared. This replaces a
 * timed unit test that failed on a loaded CI machine: speed is measured here, not asserted.
 */
import { Simulator } from '../src/simulate/simulator.ts';

let sink = 0;

function bestRowsPerSecond(rows: number, fn: () => void): number {
  let best = 0;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    fn();
    best = Math.max(best, rows / ((performance.now() - t0) / 1000));
  }
  return best;
}

const sim = new Simulator({ days: 14, seed: 2 });
const values = new Int32Array(8);
const rows = (sim.end - sim.start) * 7;

const simulated = bestRowsPerSecond(rows, () => {
  for (let m = sim.start; m < sim.end; m++) sim.fill(0, m, values);
  sink += values[0];
});
const reference = bestRowsPerSecond(rows, () => {
  for (let i = 0; i < rows; i++) sink += Math.exp(-i / rows);
});

console.log(`simulator: ${Math.round(simulated).toLocaleString('en')} status-rows/s (14 days, 1 scope, 7 statuses)`);
console.log(`reference: ${Math.round(reference).toLocaleString('en')} Math.exp/s; ratio ${(simulated / reference).toFixed(3)}`);
if (sink === 42) console.log('');
