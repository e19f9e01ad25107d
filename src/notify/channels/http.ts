/**
 * The HTTP part every HTTP channel shares: POST JSON with built-in fetch under a timeout, and
 * classify the outcome the way Alertmanager's retrier does: 2xx ok; 429 and 5xx retryable
 * (with Retry-After honoured); other 4xx permanent; network errors and timeouts retryable.
 */
import type { DeliveryResult } from '../types.ts';

export interface HttpDeps {
  /** Injected for tests; defaults to global fetch. */
  fetch?: typeof fetch;
  /** Clock for Retry-After HTTP-dates; defaults to Date.now (the edge may read the clock). */
  now?: () => number;
}

const DETAIL_MAX = 200;

/** Shortens a receiver's answer for logs and the outbox. */
export function shortDetail(text: string, max = DETAIL_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/**
 * Reads a Retry-After header: delay-seconds ("120") or an HTTP-date
 * ("Wed, 21 Oct 2015 07:28:00 GMT"). Returns ms to wait (≥ 0), or undefined when absent/unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Only accept things that look like dates; Date.parse is lenient with junk such as "5x".
  if (!/[a-z]{3}/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Classifies a finished HTTP exchange: 2xx ok; 408, 429, 5xx retryable; other statuses permanent. */
export function classifyHttp(label: string, status: number, body: string, retryAfterMs: number | undefined): DeliveryResult {
  const detail = shortDetail(`${label}: HTTP ${status}${body ? ` ${body}` : ''}`);
  if (status >= 200 && status < 300) return { ok: true, retryable: false, status, detail };
  const retryable = status === 429 || status >= 500 || status === 408;
  const r: DeliveryResult = { ok: false, retryable, status, detail };
  if (retryable && retryAfterMs !== undefined) r.retryAfterMs = retryAfterMs;
  return r;
}

/** Describes a fetch failure (network, DNS, timeout, abort) — always retryable. */
export function networkFailure(label: string, err: unknown): DeliveryResult {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  let what: string;
  if (e?.name === 'TimeoutError') what = 'timed out';
  else if (e?.name === 'AbortError') what = 'aborted';
  else what = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return { ok: false, retryable: true, detail: shortDetail(`${label}: ${what}`) };
}

/** Combines the caller's signal (shutdown) with a per-request timeout. */
export function requestSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, t]) : t;
}

/**
 * POSTs `body` as JSON and classifies the answer. Never throws: every outcome is a DeliveryResult.
 * The URL is not echoed in `detail` (Slack and webhook URLs are secrets).
 */
export async function postJson(
  label: string,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
  deps: HttpDeps,
  signal?: AbortSignal,
): Promise<DeliveryResult> {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  if (signal?.aborted) return networkFailure(label, signal.reason ?? Object.assign(new Error('aborted'), { name: 'AbortError' }));
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'txmon/0.1', ...headers },
      body: JSON.stringify(body),
      signal: requestSignal(timeoutMs, signal),
    });
    let text = '';
    try {
      text = await res.text();
    } catch {
      // A body cut off after the status line still has a meaningful status.
    }
    return classifyHttp(label, res.status, text, parseRetryAfter(res.headers.get('retry-after'), now()));
  } catch (err) {
    return networkFailure(label, err);
  }
}

/** True for an absolute http(s) URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
