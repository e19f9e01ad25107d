import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxmonError } from '../domain/errors.ts';
import { matcherFrom, matchersFrom, matchersToString, matcherToString, matchesAll, parseMatcher, parseMatcherList } from './matchers.ts';

test('parseMatcher reads the four operators, quoted and unquoted values', () => {
  assert.deepEqual({ ...parseMatcher('severity="critical"'), test: undefined }, { name: 'severity', value: 'critical', isRegex: false, isEqual: true, test: undefined });
  const ne = parseMatcher('status != approved');
  assert.deepEqual([ne.name, ne.value, ne.isRegex, ne.isEqual], ['status', 'approved', false, false]);
  const re = parseMatcher("scope=~'pos-.*'");
  assert.deepEqual([re.value, re.isRegex, re.isEqual], ['pos-.*', true, true]);
  const nre = parseMatcher('status!~"approved|processing"');
  assert.deepEqual([nre.isRegex, nre.isEqual], [true, false]);
  assert.equal(parseMatcher('msg="say \\"hi\\", ok"').value, 'say "hi", ok');
});

test('matching semantics: equality, anchored regex, absent label = empty string', () => {
  const labels = { severity: 'critical', scope: 'pos-12' };
  assert.equal(parseMatcher('severity="critical"').test(labels.severity), true);
  assert.equal(parseMatcher('severity!="critical"').test(labels.severity), false);
  assert.equal(parseMatcher('scope=~"pos-\\d+"').test(labels.scope), true);
  assert.equal(parseMatcher('scope=~"pos"').test(labels.scope), false, 'anchored: no partial match');
  assert.equal(parseMatcher('scope=~"pos|all"').test('pos'), true, 'alternation is anchored as a whole');
  assert.equal(parseMatcher('scope=~"pos|all"').test('xpos'), false);
  assert.equal(parseMatcher('scope!~"pos-.*"').test(labels.scope), false);
  assert.equal(parseMatcher('team=""').test(undefined), true, 'absent label equals ""');
  assert.equal(parseMatcher('team!="ops"').test(undefined), true);
  assert.equal(parseMatcher('team=~".*"').test(undefined), true);
  assert.equal(parseMatcher('team=~".+"').test(undefined), false);
  assert.equal(matchesAll(parseMatcherList('{severity="critical", scope=~"pos-.*"}'), labels), true);
  assert.equal(matchesAll(parseMatcherList('severity="critical",scope="all"'), labels), false);
  assert.equal(matchesAll([], labels), true);
});

test('render round-trips and lists render like Alertmanager', () => {
  for (const s of ['a="b"', 'a!="b"', 'a=~"b.*"', 'a!~"x|y"', 'a="q\\"uote"']) {
    assert.equal(matcherToString(parseMatcher(s)), s);
  }
  assert.equal(matchersToString(parseMatcherList('{a="1", b=~"2"}')), '{a="1",b=~"2"}');
  assert.deepEqual(parseMatcherList('{}'), []);
});

test('objects in Alertmanager API form', () => {
  const m = matcherFrom({ name: 'scope', value: 'pos-.*', isRegex: true });
  assert.deepEqual([m.isRegex, m.isEqual, m.test('pos-1')], [true, true, true]);
  const n = matcherFrom({ name: 'x', value: 'y', isEqual: false });
  assert.equal(n.test('y'), false);
  assert.equal(matchersFrom(['a="b"', { name: 'c', value: 'd' }]).length, 2);
});

function fails(fn: () => unknown, field: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TxmonError);
    assert.equal(e.code, 'TXMON_ERR_CONFIG');
    assert.equal(e.detail?.field, field);
    assert.match(e.message, message);
    return true;
  });
}

test('validation errors name the path and what was expected', () => {
  fails(() => parseMatcher('severity', 'route.matchers[0]'), 'route.matchers[0]', /expected an operator \(=, !=, =~, !~\) after "severity"/);
  fails(() => parseMatcher('="x"', 'm'), 'm', /expected a label name at position 0/);
  fails(() => parseMatcher('a=~"(unclosed"', 'm'), 'm', /regex "\(unclosed" is invalid/);
  fails(() => parseMatcher('a="open', 'm'), 'm', /unterminated quoted value/);
  fails(() => parseMatcher('a=two words', 'm'), 'm', /must be quoted/);
  fails(() => parseMatcher('a="x" junk', 'm'), 'm', /unexpected "junk"/);
  fails(() => parseMatcherList('{a="1" b="2"}', 'ms'), 'ms', /expected ","/);
  fails(() => matcherFrom({ name: '9bad', value: 'x' }, 'm'), 'm', /label name "9bad" is invalid/);
  fails(() => matcherFrom({ name: 'a', value: 1 }, 'm'), 'm.value', /must be a string/);
  fails(() => matcherFrom({ name: 'a', value: 'b', regex: true }, 'm'), 'm.regex', /unknown key "regex"/);
  fails(() => matcherFrom(42, 'm'), 'm', /must be a matcher string/);
  fails(() => matchersFrom('a="b"', 'r.matchers'), 'r.matchers', /must be a list/);
  fails(() => matchersFrom(['a="b"', 'oops'], 'r.matchers'), 'r.matchers[1]', /expected an operator/);
});

test('escapes: \\" \\\\ \\n decoded, other backslashes kept for regexes', () => {
  assert.equal(parseMatcher('a=~"pos-\\d+"').value, 'pos-\\d+');
  assert.equal(parseMatcher('a="x\\\\y"').value, 'x\\y');
  assert.equal(parseMatcher('a="x\\ny"').value, 'x\ny');
  const m = parseMatcher('a=~"pos-\\d+\\.x"');
  assert.equal(parseMatcher(matcherToString(m)).value, m.value);
});

test('regex matchers run in linear time (RE2): catastrophic patterns cannot stall matching; lookaround and backreferences are refused', () => {
  const m = parseMatcher('scope=~"(a+)+b"');
  const started = performance.now();
  for (let n = 20; n <= 5000; n *= 2) assert.equal(m.test('a'.repeat(n)), false);
  const ms = performance.now() - started;
  // A backtracking engine needs ~2^31 steps at 31 characters; RE2 a few microseconds per character.
  assert.ok(ms < 1000, `matching took ${ms.toFixed(0)} ms`);
  assert.equal(m.test('aaab'), true);
  assert.throws(() => parseMatcher('scope=~"(a)\\1"'), (e: unknown) => e instanceof TxmonError && /invalid/.test(e.message));
  assert.throws(() => parseMatcher('scope=~"(?=a)a"'), (e: unknown) => e instanceof TxmonError && /RE2/.test(String((e as TxmonError).detail?.expected)));
  assert.throws(() => parseMatcher(`scope=~"${'a'.repeat(1001)}"`), (e: unknown) => e instanceof TxmonError && /longer than 1000/.test(e.message));
});
