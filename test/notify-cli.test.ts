/** `txmon notify test` against a real local webhook receiver and a real SMTP server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpSink, startSmtpSink } from '../src/notify/channels/test-sink.ts';

const BIN = new URL('../bin/txmon.js', import.meta.url).pathname;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('txmon notify test: webhook + email receiver answers are printed; failures exit 1', async () => {
  const sink = await startHttpSink();
  const smtp = await startSmtpSink();
  const dir = mkdtempSync(join(tmpdir(), 'txmon-notify-cli-'));
  try {
    const cfg = join(dir, 'txmon.yaml');
    writeFileSync(cfg, [
      'alerting:',
      '  receivers:',
      '    - name: ops',
      `      webhook_configs: [{ url: "${sink.url}/hook" }]`,
      `      email_configs: [{ to: "ops@example.com", from: "txmon@example.com", host: "127.0.0.1", port: ${smtp.port} }]`,
      '    - name: broken',
      `      webhook_configs: [{ url: "${sink.url}/broken" }]`,
      '  route: { receiver: ops }',
    ].join('\n'));
    const ok = await run(['notify', 'test', '--receiver', 'ops', '--config', cfg]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /ops\/webhook\[0\]: ok status 200/);
    assert.match(ok.stdout, /ops\/email\[0\]: ok status 250/);
    assert.equal(sink.requests.length, 1);
    assert.equal((sink.requests[0].body as { version: string }).version, '4');
    assert.equal(smtp.mails.length, 1);
    assert.match(smtp.mails[0].raw, /Message-ID: </i);

    sink.replies.push({ status: 404, body: 'no such hook' });
    const bad = await run(['notify', 'test', '--receiver', 'broken', '--config', cfg]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /broken\/webhook\[0\]: FAILED status 404 — webhook: HTTP 404 no such hook/);

    const unknown = await run(['notify', 'test', '--receiver', 'nope', '--config', cfg]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no receiver named "nope"; configured: ops, broken/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sink.close();
    await smtp.close();
  }
});
