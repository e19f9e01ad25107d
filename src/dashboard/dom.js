/**
 * DOM and API helpers shared by the dashboard pages. Data is ALWAYS inserted as text
 * (textContent / text nodes / Option), never as HTML, so a status or scope named
 * `<img src=x onerror=alert(1)>` is shown literally.
 */

/** Severity → icon: severity is shown by word and icon, not colour alone. */
export const SEVERITY_ICON = { critical: '▲', warning: '◆', info: '●', none: '○' };

/**
 * Creates an element. `props`: className, attributes (`attrs`), dataset (`data`), event handlers
 * (`on`). Children: strings become text nodes; nodes are appended; null/undefined are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, String(v));
  for (const [k, v] of Object.entries(props.data ?? {})) el.dataset[k] = String(v);
  for (const [k, v] of Object.entries(props.on ?? {})) el.addEventListener(k, v);
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A severity badge: icon + word, class for colour. */
export function severityBadge(severity) {
  const s = SEVERITY_ICON[severity] ? severity : 'none';
  return h('span', { className: `sev sev-${s}`, data: { severity: s } }, `${SEVERITY_ICON[s]} ${severity}`);
}

/** Replaces an element's children. */
export function replaceChildren(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

/** "2025-07-01 10:05 UTC" */
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A number for people: about three significant digits (164.7333 → 165, 0.04812 → 0.0481). Same rule as src/report/alertPage.ts. */
export function fmtNumber(x) {
  if (x === null || x === undefined || !Number.isFinite(Number(x))) return x === null || x === undefined ? '—' : String(x);
  const n = Number(x);
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a >= 100) return String(Math.round(n));
  if (a >= 10) return String(Math.round(n * 10) / 10);
  if (a >= 1) return String(Math.round(n * 100) / 100);
  return String(Number(n.toPrecision(3)));
}

export function fmtDuration(minutes) {
  if (minutes === null || minutes === undefined) return '—';
  if (minutes < 60) return `${minutes} min`;
  const hrs = Math.floor(minutes / 60);
  return `${hrs} h ${minutes % 60} min`;
}

const TOKEN_KEY = 'txmon.token';
export const auth = {
  get token() { try { return localStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; } },
  set token(v) { try { localStorage.setItem(TOKEN_KEY, v); } catch { /* private mode */ } },
};

/** Error from the API, with the HTTP status and the TXMON_ERR_* code when there is one. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Fetches JSON from the API; throws ApiError (status 0 when the server is unreachable). */
export async function api(path, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  let res;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `server unreachable (${err.message})`);
  }
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = text; }
  if (!res.ok) {
    const err = body && typeof body === 'object' ? body.error ?? body : {};
    const code = err.code;
    const message = err.message ? err.message : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, code, message);
  }
  return body;
}
