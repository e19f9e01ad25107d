import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../simulate/prng.ts';
import { Cusum } from './cusum.ts';

test('CUSUM detects a sustained 1σ shift within ~15 observations and locates its start', () => {
  const rng = new Rng(2);
  const c = new Cusum({ k: 0.5, h: 5 });
  let alarmAt = -1;
  let start: number | null = null;
  let shift = 0;
  for (let i = 0; i < 400; i++) {
    const z = rng.normal() + (i >= 300 ? 1 : 0);
    const r = c.update(z);
    if (r.alarm === 'up' && i >= 300) {
      alarmAt = i;
      start = r.upper.start;
      shift = r.upper.shift;
      break;
    }
  }
  assert.ok(alarmAt >= 300 && alarmAt < 330, `alarm at ${alarmAt}`);
  assert.ok(start !== null && Math.abs(start - 300) <= 10, `start ${start}`);
  assert.ok(shift > 0.6 && shift < 2.5, `shift ${shift}`);
});

test('CUSUM in-control false alarm rate is about 1 in 900 with k=0.5, h=5', () => {
  const rng = new Rng(9);
  const c = new Cusum();
  let alarms = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) if (c.update(rng.normal()).alarm) alarms++;
  // two sides → ≈ 2 · n / 930 ≈ 430
  assert.ok(alarms > 250 && alarms < 700, `alarms ${alarms}`);
});

test('CUSUM lower side, reset policies and gaps', () => {
  const zero = new Cusum({ k: 0.5, h: 4, reset: 'zero' });
  const fir = new Cusum({ k: 0.5, h: 4, reset: 'fir' });
  const none = new Cusum({ k: 0.5, h: 4, reset: 'none' });
  const count = { zero: 0, fir: 0, none: 0 };
  for (let i = 0; i < 20; i++) {
    const z = -2; // each step adds 1.5 to S⁻
    if (zero.update(z).alarm === 'down') count.zero++;
    if (fir.update(z).alarm === 'down') count.fir++;
    if (none.update(z).alarm === 'down') count.none++;
  }
  // zero: alarm every 3 steps (4.5 > 4) → 6; fir: first after 3, then every 2 (2+3>4) → 9; none: from step 3 on → 18
  assert.equal(count.zero, 6);
  assert.equal(count.fir, 9);
  assert.equal(count.none, 18);
  const before = none.lowerValue;
  const r = none.update(NaN);
  assert.equal(r.alarm, null);
  assert.equal(none.lowerValue, before);
  none.clear();
  assert.equal(none.lowerValue, 0);
  assert.throws(() => new Cusum({ h: 0 }), RangeError);
});
