import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLineLogger, LogChannel } from './log.ts';
import { sampleNotification } from './test-sink.ts';

test('log channel writes one JSON line per notification and is always ok', async () => {
  const lines: string[] = [];
  const ch = new LogChannel(jsonLineLogger((l) => lines.push(l)));
  const n = sampleNotification();
  const r = await ch.send(n);
  assert.equal(r.ok, true);
  assert.equal(lines.length, 1);
  assert.ok(lines[0].endsWith('\n'));
  assert.equal(lines[0].trimEnd().split('\n').length, 1);
  const rec = JSON.parse(lines[0]);
  assert.equal(rec.level, 30);
  assert.equal(rec.msg, '[FIRING:1] failed_high scope=all');
  assert.equal(rec.notification.id, n.id);
  assert.equal(rec.notification.alerts[0].observed, '42');
  assert.equal(rec.notification.alerts[0].severity, 'critical');
});
