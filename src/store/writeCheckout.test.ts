/** Store.writeCheckout on every available dialect: replaces a source atomically, leaves others alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckoutRow } from '../domain/checkout.ts';
import { testDialects, reportSkippedPostgres } from './postgres/testing.ts';

function day(offset: number): CheckoutRow[] {
  return Array.from({ length: 24 }, (_, hour) => ({
    hour, today: hour + offset, yesterday: hour, same_day_last_week: hour + 1, avg_last_week: hour + 0.42, avg_last_month: hour + 0.85,
  }));
}

reportSkippedPostgres();

for (const d of testDialects()) {
  test(`writeCheckout replaces one source atomically (${d.dialect})`, async (t) => {
    const { store, dispose } = await d.open();
    t.after(dispose);
    const read = async (source: string) => (await store.runQuery(
      'SELECT hour, today, avg_last_week FROM checkout_hours WHERE source = :source ORDER BY hour', { source },
    )).map((r) => [Number(r.hour), Number(r.today), Number(r.avg_last_week)]);

    await store.writeCheckout('pos_a', day(0));
    await store.writeCheckout('pos_b', day(5));
    assert.equal((await read('pos_a')).length, 24);
    assert.deepEqual((await read('pos_a'))[3], [3, 3, 3.42]);

    // Loading again replaces: 24 rows, new values, the other source untouched.
    await store.writeCheckout('pos_a', day(10));
    const a = await read('pos_a');
    assert.equal(a.length, 24);
    assert.deepEqual(a[3], [3, 13, 3.42]);
    assert.deepEqual((await read('pos_b'))[3], [3, 8, 3.42]);

    // A row the table rejects (hour 24 breaks the CHECK) rolls back the delete too.
    const bad = [...day(20), { ...day(0)[0], hour: 24 }];
    await assert.rejects(store.writeCheckout('pos_a', bad));
    assert.deepEqual((await read('pos_a'))[3], [3, 13, 3.42]);

    await assert.rejects(store.writeCheckout('', day(0)), { code: 'TXMON_ERR_BAD_PARAMETER' });
    await assert.rejects(store.writeCheckout('a\nb', day(0)), { code: 'TXMON_ERR_BAD_PARAMETER' });
  });
}
