import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxmonError } from '../domain/errors.ts';
import { Simulator } from '../simulate/simulator.ts';
import { labelsJson } from '../simulate/write.ts';
import { parseLabels } from './labels.ts';

const m = (iso: string): number => Date.parse(iso) / 60_000;

test('the simulator labels parse into incidents with minute bounds', () => {
  const sim = new Simulator({ days: 2, seed: 4 });
  const incidents = parseLabels(labelsJson(sim));
  assert.equal(incidents.length, sim.incidents.length);
  const first = sim.incidents[0];
  const got = incidents.find((i) => i.id === first.id)!;
  assert.equal(got.start, m(first.start));
  assert.equal(got.end, m(first.end));
  assert.equal(got.kind, first.kind);
  assert.equal(got.expectAlert, first.expect_alert);
  assert.deepEqual(got.statuses, first.statuses);
});

test('minimal hand-written labels get defaults; partial minutes round outward; sorted by start', () => {
  const text = JSON.stringify({ incidents: [
    { id: 'late', start: '2025-07-13 00:30:00', end: '2025-07-13T01:48:30Z' },
    { id: 7, start: '2025-07-12T17:09:20Z', end: '2025-07-12T17:40:00Z', statuses: ['Denied'], expect_alert: false, scope: 'pos-01' },
  ] });
  const [a, b] = parseLabels(text);
  assert.equal(a.id, '7');
  assert.equal(a.start, m('2025-07-12T17:09:00Z'));
  assert.deepEqual([a.statuses, a.expectAlert, a.scope], [['denied'], false, 'pos-01']);
  assert.equal(b.end, m('2025-07-13T01:49:00Z'));
  assert.deepEqual([b.kind, b.scope, b.expectAlert, b.statuses, b.severity], ['unlabelled', 'all', true, [], null]);
});

test('malformed labels are rejected with the file and the field named', () => {
  const rejects = (text: string, code: string, message: RegExp): void => {
    assert.throws(() => parseLabels(text, 'x.json'), (err: unknown) => {
      assert.ok(err instanceof TxmonError);
      assert.equal(err.code, code);
      assert.match(err.message, message);
      return true;
    });
  };
  rejects('{"incidents": [', 'TXMON_ERR_BAD_JSON', /^x\.json: not valid JSON/);
  rejects('[]', 'TXMON_ERR_VALIDATION', /the document must be an object \{"incidents"/);
  rejects('{"incidents": {}}', 'TXMON_ERR_VALIDATION', /the document/);
  rejects('{"incidents": [1]}', 'TXMON_ERR_VALIDATION', /incidents\[0\] must be an object/);
  rejects('{"incidents": [{"start": "2025-07-12T00:00:00Z", "end": "2025-07-12T00:10:00Z"}]}', 'TXMON_ERR_VALIDATION', /incidents\[0\]\.id must be a non-empty string/);
  rejects('{"incidents": [{"id": "a", "start": "yesterday", "end": "2025-07-12T00:10:00Z"}]}', 'TXMON_ERR_VALIDATION', /incidents\[0\]\.start must be an ISO-8601 timestamp/);
  rejects('{"incidents": [{"id": "a", "start": "2025-07-12T00:10:00Z", "end": "2025-07-12T00:10:00Z"}]}', 'TXMON_ERR_VALIDATION', /incidents\[0\]\.end must be after start/);
  rejects('{"incidents": [{"id": "a", "start": "2025-07-12T00:00:00Z", "end": "2025-07-12T00:10:00Z", "statuses": "failed"}]}', 'TXMON_ERR_VALIDATION', /statuses must be an array of strings/);
  rejects('{"incidents": [{"id": "a", "start": "2025-07-12T00:00:00Z", "end": "2025-07-12T00:10:00Z", "expect_alert": "no"}]}', 'TXMON_ERR_VALIDATION', /expect_alert must be true or false/);
  const one = { id: 'a', start: '2025-07-12T00:00:00Z', end: '2025-07-12T00:10:00Z' };
  rejects(JSON.stringify({ incidents: [one, one] }), 'TXMON_ERR_VALIDATION', /incidents\[1\]\.id must be unique/);
});
