import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EmailIntegration } from './emailConfig.ts';
import { classifySmtpError, EmailChannel, emailMessage, htmlEscape } from './email.ts';
import { sampleAlert, sampleNotification, startSmtpSink } from './test-sink.ts';

function cfg(port: number, over: Partial<EmailIntegration> = {}): EmailIntegration {
  return {
    type: 'email', sendResolved: true, timeoutMs: 3000, to: ['oncall@example.com', 'risk@example.com'], from: 'txmon@example.com',
    host: '127.0.0.1', port, secure: false, requireTls: false, messageIdDomain: 'txmon.test', ...over,
  };
}

/** Minimal MIME reader for the test: top-level headers and decoded text/plain, text/html parts. */
function parseMail(raw: string): { headers: Record<string, string>; text: string; html: string } {
  const [head] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const part = (type: string): string => {
    const re = new RegExp(`Content-Type: ${type}[^\\r\\n]*\\r?\\n((?:[^\\r\\n]+\\r?\\n)*)\\r?\\n([\\s\\S]*?)\\r?\\n--`, 'i');
    const m = re.exec(raw);
    if (!m) return '';
    const cte = /Content-Transfer-Encoding:\s*(\S+)/i.exec(m[1])?.[1].toLowerCase();
    if (cte === 'base64') return Buffer.from(m[2].replace(/\s+/g, ''), 'base64').toString('utf8');
    if (cte === 'quoted-printable') {
      const bytes = m[2].replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
      return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
    }
    return m[2];
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

test('email is delivered over SMTP with subject, escaped HTML, text and a Message-ID from the notification id', async (t) => {
  const smtp = await startSmtpSink();
  t.after(() => smtp.close());
  const alerts = [
    sampleAlert({ annotations: { ...sampleAlert().annotations, summary: 'failed <script>alert(1)</script> & more' } }),
    sampleAlert({ fingerprint: 'b2', severity: 'warning' }),
  ];
  const n = sampleNotification(alerts);
  const ch = new EmailChannel(cfg(smtp.port));
  const r = await ch.send(n);
  assert.equal(r.ok, true, r.detail);
  assert.equal(r.status, 250);
  assert.equal(smtp.mails.length, 1);
  const got = smtp.mails[0];
  assert.equal(got.from, 'txmon@example.com');
  assert.deepEqual(got.to, ['oncall@example.com', 'risk@example.com']);
  const mail = parseMail(got.raw);
  assert.equal(mail.headers.subject, '[FIRING:2] failed_high scope=all');
  assert.equal(mail.headers['message-id'], `<txmon.${n.id}@txmon.test>`);
  assert.equal(mail.headers['x-txmon-notification-id'], n.id);
  assert.match(mail.text, /🔴 CRITICAL: failed <script>alert\(1\)<\/script> & more/);
  assert.match(mail.text, /observed 42 · expected 3\.1 · score 97/);
  assert.ok(mail.html.includes('failed &lt;script&gt;alert(1)&lt;/script&gt; &amp; more'), 'HTML is escaped');
  assert.ok(!mail.html.includes('<script>'), 'no raw script tag');
  assert.ok(mail.html.includes('🔴 CRITICAL'), 'severity by icon and text');
  assert.ok(mail.html.includes('href="http://txmon.example:8080/alerts/17"'));

  // A re-send of the same notification carries the same Message-ID.
  await ch.send(n);
  assert.equal(parseMail(smtp.mails[1].raw).headers['message-id'], mail.headers['message-id']);
});

test('email resolved subject', () => {
  const n = sampleNotification([sampleAlert({ status: 'resolved', endsAt: '2025-07-15T14:30:00.000Z' })]);
  const m = emailMessage(n, { from: 'a@b', to: ['c@d'], messageIdDomain: 'x' });
  assert.equal(m.subject, '[RESOLVED] failed_high scope=all');
  assert.match(m.html, /✅ RESOLVED/);
  assert.equal(htmlEscape(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
});

test('email: 451 from the server is retryable, 550 permanent, no server retryable', async (t) => {
  const busy = await startSmtpSink({ rcptCode: 451 });
  const gone = await startSmtpSink({ rcptCode: 550 });
  t.after(async () => {
    await busy.close();
    await gone.close();
  });
  const n = sampleNotification();
  const r451 = await new EmailChannel(cfg(busy.port)).send(n);
  assert.deepEqual([r451.ok, r451.retryable, r451.status], [false, true, 451]);
  const r550 = await new EmailChannel(cfg(gone.port)).send(n);
  assert.deepEqual([r550.ok, r550.retryable, r550.status], [false, false, 550]);
  assert.match(r550.detail, /550/);

  const dead = await startSmtpSink();
  const port = dead.port;
  await dead.close();
  const refused = await new EmailChannel(cfg(port)).send(n);
  assert.deepEqual([refused.ok, refused.retryable], [false, true]);
});

test('classifySmtpError by reply code and error code', () => {
  assert.equal(classifySmtpError({ responseCode: 421, response: '421 busy' }).retryable, true);
  assert.equal(classifySmtpError({ responseCode: 535, code: 'EAUTH' }).retryable, false);
  assert.equal(classifySmtpError({ code: 'ETIMEDOUT', message: 'Greeting never received' }).retryable, true);
  assert.equal(classifySmtpError({ code: 'EENVELOPE', message: 'No recipients defined' }).retryable, false);
});
