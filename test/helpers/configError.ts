/** Asserts that `run` throws the TXMON_ERR_CONFIG of the key at `field`, with a message matching `message`. */
import assert from 'node:assert/strict';
import { TxmonError } from '../../src/domain/errors.ts';

export function assertConfigError(run: () => unknown, field: string, message: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof TxmonError, String(e));
    assert.equal(e.code, 'TXMON_ERR_CONFIG');
    assert.equal(e.detail?.field, field, e.message);
    assert.match(e.message, message);
    return true;
  });
}
