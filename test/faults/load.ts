/**
 * A steady ingest load for fault tests: `workers` clients, each sending one complete minute (six
 * statuses) of its own scope per request, retrying a 503 like a well-behaved client, plus a
 * reader polling the read endpoints. It checks every answer as it comes (200, or a 503
 * TXMON_ERR_STORE_UNAVAILABLE with Retry-After and no database URL) and remembers what was
 * acknowledged, so the test can compare it with the store afterwards.
 */
import assert from 'node:assert/strict';
import { minuteRows, normalMinute } from '../helpers/server.ts';

export interface Acked { scope: string; minute: number; counts: Record<string, number> }

export interface LoadResult {
  acked: Acked[];
  /** 503 answers seen (writes and reads). */
  unavailable: number;
  requests: number;
  /** Answers that were neither 200 nor a proper 503 (should stay empty). */
  bad: string[];
  /** Requests that got no answer (connection refused or reset), when allowed. */
  networkErrors: number;
}

export interface Load { stop(): Promise<LoadResult>; result: LoadResult }

export const LOAD_T0 = Date.UTC(2025, 6, 1, 0, 0);

/** Checks a 503 body and headers; returns a complaint or null. */
export function checkUnavailable(status: number, text: string, headers: Headers, secrets: string[]): string | null {
  for (const s of secrets) if (text.includes(s)) return `answer leaks "${s}": ${text.slice(0, 200)}`;
  if (status !== 503) return `status ${status}: ${text.slice(0, 200)}`;
  let body: { error?: { code?: string } };
  try { body = JSON.parse(text); } catch { return `503 body is not JSON: ${text.slice(0, 200)}`; }
  if (body.error?.code !== 'TXMON_ERR_STORE_UNAVAILABLE') return `503 with code ${body.error?.code}`;
  if (!/^\d+$/.test(headers.get('retry-after') ?? '')) return '503 without Retry-After';
  return null;
}

export function startLoad(base: string, opts: { workers: number; prefix: string; secrets: string[]; t0?: number; networkErrorsAllowed?: boolean }): Load {
  const result: LoadResult = { acked: [], unavailable: 0, requests: 0, bad: [], networkErrors: 0 };
  let stopping = false;
  const t0 = opts.t0 ?? LOAD_T0;
  const worker = async (w: number) => {
    const scope = `${opts.prefix}${w}`;
    for (let i = 0; !stopping; ) {
      const minute = t0 + i * 60_000;
      const counts = normalMinute(i);
      let res: Response;
      try {
        res = await fetch(`${base}/api/v1/transactions`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(minuteRows(minute, counts, scope)),
        });
      } catch (err) {
        // No answer: not acknowledged; a client sends it again.
        if (opts.networkErrorsAllowed) result.networkErrors++;
        else result.bad.push(`POST failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const text = await res.text();
      result.requests++;
      if (res.status === 200) {
        result.acked.push({ scope, minute: minute / 60_000, counts });
        i++;
        continue;
      }
      const complaint = checkUnavailable(res.status, text, res.headers, opts.secrets);
      if (complaint) result.bad.push(`POST ${scope} minute ${i}: ${complaint}`);
      else result.unavailable++;
      await new Promise((r) => setTimeout(r, 50)); // the test does not wait Retry-After's 5 s
    }
  };
  const reader = async () => {
    const paths = ['/api/v1/alerts', `/api/v1/metrics?scope=${opts.prefix}0`, '/api/v1/scopes', '/api/v1/dashboard'];
    for (let k = 0; !stopping; k++) {
      const path = paths[k % paths.length];
      try {
        const res = await fetch(base + path);
        const text = await res.text();
        result.requests++;
        if (res.status !== 200) {
          const complaint = checkUnavailable(res.status, text, res.headers, opts.secrets);
          if (complaint) result.bad.push(`GET ${path}: ${complaint}`);
          else result.unavailable++;
        }
      } catch (err) {
        if (opts.networkErrorsAllowed) result.networkErrors++;
        else result.bad.push(`GET ${path} failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const all = Promise.all([...Array.from({ length: opts.workers }, (_, w) => worker(w)), reader()]);
  return {
    result,
    async stop() {
      stopping = true;
      await all;
      return result;
    },
  };
}

/** Every acknowledged row is in the store, and every acknowledged minute was evaluated exactly once. */
export async function assertNothingLost(
  store: { readCounts(s: string, f: number, t: number): Promise<Array<{ minute: number; status: string; count: number }>>; listAssessments(f: { scope: string; limit?: number }): Promise<Array<{ minute: number }>> },
  acked: Acked[],
): Promise<void> {
  const byScope = new Map<string, Acked[]>();
  for (const a of acked) (byScope.get(a.scope) ?? byScope.set(a.scope, []).get(a.scope)!).push(a);
  for (const [scope, list] of byScope) {
    const lo = Math.min(...list.map((a) => a.minute));
    const hi = Math.max(...list.map((a) => a.minute));
    const rows = await store.readCounts(scope, lo, hi + 1);
    const got = new Map(rows.map((r) => [`${r.minute}/${r.status}`, r.count]));
    for (const a of list) {
      for (const [status, count] of Object.entries(a.counts)) {
        assert.equal(got.get(`${a.minute}/${status}`), count, `acknowledged ${scope} minute ${a.minute} ${status}=${count} is stored`);
      }
    }
    const assessed = (await store.listAssessments({ scope, limit: 100_000 })).map((x) => x.minute);
    assert.equal(new Set(assessed).size, assessed.length, `${scope}: no minute assessed twice`);
    for (const a of list) assert.ok(assessed.includes(a.minute), `${scope}: acknowledged minute ${a.minute} was evaluated`);
  }
}
