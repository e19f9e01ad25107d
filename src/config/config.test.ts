import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TxmonError } from '../domain/errors.ts';
import { loadConfig, parseTokenEnv, resolveConfig } from './config.ts';

const configError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TxmonError, String(err));
    assert.equal(err.code, 'TXMON_ERR_CONFIG');
    return err.message;
  }
  assert.fail('expected TXMON_ERR_CONFIG');
};
const TOKEN = 'r'.repeat(16);

test('defaults: every key has one', () => {
  const c = resolveConfig({}, {});
  assert.equal(c.port, 8080);
  assert.equal(c.host, undefined);
  assert.equal(c.bodyLimitBytes, 10 * 1024 * 1024);
  assert.equal(c.timeZone, 'UTC');
  assert.equal(c.storeUrl, './data/txmon.db');
  assert.deepEqual(c.tokens, []);
  assert.equal(c.graceMs, 90_000);
  assert.equal(c.tickMs, 5_000);
  assert.equal(c.maxFutureMs, 24 * 3_600_000);
  assert.deepEqual(c.lifecycle, { forMinutes: 1, keepFiringForMinutes: 3, minSeverity: 'warning' });
  assert.deepEqual(resolveConfig(undefined, {}).raw, c.raw);
  assert.deepEqual(resolveConfig(null, {}).raw, c.raw, 'an empty YAML file');
});

test('values, snake_case detector keys to camelCase (status names kept), alerting routes passed on', () => {
  const c = resolveConfig({
    server: { port: 9090, body_limit_mb: 0.5, time_zone: 'America/Sao_Paulo' },
    detect: { min_total_for_share: 50, rules: { backend_reversed: { count: { warning: 3, critical: 6 } } }, rolling_z: { warning_z: 2.5 } },
    alerting: { for_minutes: 2, keep_firing_for_minutes: 5, min_severity: 'critical', route: { receiver: 'slack' } },
  }, {});
  assert.equal(c.port, 9090);
  assert.equal(c.bodyLimitBytes, 524_288);
  assert.equal(c.timeZone, 'America/Sao_Paulo');
  assert.deepEqual(c.detect, { timeZone: 'America/Sao_Paulo', minTotalForShare: 50, rules: { backend_reversed: { count: { warning: 3, critical: 6 } } }, rollingZ: { warningZ: 2.5 } });
  // The seasonal buckets follow server.time_zone unless detect.time_zone is set; a bad zone is a config error.
  assert.throws(() => resolveConfig({ detect: { time_zone: 'Mars/Olympus' } }, {}), /detect.time_zone must be an IANA time zone/);
  assert.equal(resolveConfig({ server: { time_zone: 'UTC' }, detect: { time_zone: 'America/New_York' } }, {}).detect.timeZone, 'America/New_York');
  assert.deepEqual(c.lifecycle, { forMinutes: 2, keepFiringForMinutes: 5, minSeverity: 'critical' });
  assert.deepEqual(c.alerting, { route: { receiver: 'slack' } });
});

test('environment overrides: port, database URL, public URL, API tokens', () => {
  const c = resolveConfig({ auth: { tokens: [{ token: TOKEN, role: 'read' }] } }, {
    TXMON_PORT: '7000', TXMON_DATABASE_URL: 'postgres://db/x', TXMON_PUBLIC_URL: 'https://txmon.example', TXMON_API_TOKENS: `${'i'.repeat(16)}:ingest:ci, ${'a'.repeat(20)}`,
  });
  assert.equal(c.port, 7000);
  assert.equal(c.storeUrl, 'postgres://db/x');
  assert.equal(c.publicUrl, 'https://txmon.example');
  assert.deepEqual(c.tokens, [
    { token: TOKEN, role: 'read', name: 'config-1' },
    { token: 'i'.repeat(16), role: 'ingest', name: 'ci' },
    { token: 'a'.repeat(20), role: 'admin', name: 'env-2' },
  ]);
});

test('store.sqlite_synchronous: normal by default, full when configured, nothing else (the pragma itself: store/sqlite/sqliteStore.test.ts)', () => {
  assert.equal(resolveConfig({}).sqliteSynchronous, 'normal');
  assert.equal(resolveConfig({ store: { sqlite_synchronous: 'full' } }).sqliteSynchronous, 'full');
  assert.throws(() => resolveConfig({ store: { sqlite_synchronous: 'off' } }), /sqlite_synchronous/);
});

test('validation errors name the key and what was expected', () => {
  assert.match(configError(() => resolveConfig({ server: { port: 70000 } }, {})), /server\.port/);
  assert.match(configError(() => resolveConfig({ server: { port: 'eighty' } }, {})), /server\.port/);
  assert.match(configError(() => resolveConfig({ server: { body_limit_mb: 0 } }, {})), /server\.body_limit_mb/);
  assert.match(configError(() => resolveConfig({ server: { prot: 1 } }, {})), /unknown key\(s\) prot/);
  assert.match(configError(() => resolveConfig({ nonsense: true }, {})), /unknown key\(s\) nonsense/);
  assert.match(configError(() => resolveConfig({ server: { time_zone: 'Mars/Base' } }, {})), /server\.time_zone must be an IANA time zone .* got "Mars\/Base"/);
  assert.match(configError(() => resolveConfig({ auth: { tokens: [{ token: 'short', role: 'read' }] } }, {})), /auth\.tokens\.0\.token/);
  assert.match(configError(() => resolveConfig({ auth: { tokens: [{ token: TOKEN, role: 'root' }] } }, {})), /auth\.tokens\.0\.role/);
  assert.match(configError(() => resolveConfig({ alerting: { for_minutes: 0 } }, {})), /alerting\.for_minutes/);
  assert.match(configError(() => resolveConfig({ engine: { grace_seconds: -1 } }, {})), /engine\.grace_seconds/);
  assert.match(configError(() => resolveConfig({ store: { url: 5 } }, {}, 'x.yaml')), /^x\.yaml: store\.url/);
});

test('TXMON_API_TOKENS: entries, roles and errors', () => {
  assert.deepEqual(parseTokenEnv(''), []);
  assert.deepEqual(parseTokenEnv(` ${TOKEN}:read:dash ,`), [{ token: TOKEN, role: 'read', name: 'dash' }]);
  assert.match(configError(() => parseTokenEnv('tooshort')), /entry 1: token must be at least 16 characters/);
  assert.match(configError(() => parseTokenEnv(`${TOKEN},${TOKEN}:superuser`)), /entry 2: role must be read, ingest or admin, got "superuser"/);
});

test('loadConfig: a YAML file, with precise errors for unreadable or invalid files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'txmon-config-'));
  try {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'server:\n  port: 8181\nstore:\n  url: ":memory:"\n');
    const c = loadConfig(good, {});
    assert.equal(c.port, 8181);
    assert.equal(c.storeUrl, ':memory:');
    assert.equal(loadConfig(undefined, {}).port, 8080);
    assert.match(configError(() => loadConfig(join(dir, 'missing.yaml'), {})), /cannot read config file/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'server: [\n');
    assert.match(configError(() => loadConfig(broken, {})), /is not valid YAML/);
    const wrong = join(dir, 'wrong.yaml');
    writeFileSync(wrong, 'server:\n  port: -1\n');
    assert.match(configError(() => loadConfig(wrong, {})), new RegExp(`^${wrong.replace(/[.]/g, '\\.')}: server\\.port`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
