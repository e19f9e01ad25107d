/**
 * The monitoring page. Data: GET /api/v1/dashboard (chart options built on the server by
 * src/report/charts.ts — the same specifications the static report renders), alerts, silences.
 * Live: ONE Server-Sent-Events stream (/api/v1/events); the browser reconnects on its own and the
 * server replays what was missed from Last-Event-ID. All data goes into the DOM as text.
 */
import { api, ApiError, auth, fmtDuration, fmtNumber, fmtTime, h, replaceChildren, severityBadge, SEVERITY_ICON } from './dom.js';
import { initTheme, onThemeChange, themedOption } from './theme.js';

const RANGES = ['1h', '6h', '24h', 'all'];
const params = new URLSearchParams(location.search);
const state = {
  scope: params.get('scope') || 'all',
  range: RANGES.includes(params.get('range')) ? params.get('range') : '6h',
  charts: new Map(),
  selected: null,
  refreshTimer: null,
  refreshing: false,
  refreshAgain: false,
  source: null,
};

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ status, banner, auth

function setLive(ok, text) {
  const el = $('live');
  el.className = `live ${ok ? 'ok' : 'bad'}`;
  el.textContent = text;
}

/** kind: 'error' | 'empty' | null */
function setBanner(kind, text) {
  const el = $('banner');
  if (!kind) { el.hidden = true; el.textContent = ''; el.className = 'banner'; return; }
  el.hidden = false;
  el.className = `banner ${kind}`;
  el.dataset.kind = kind;
  el.textContent = text;
}

function needToken() {
  $('token-box').hidden = false;
  setBanner('error', 'This server needs an API token: enter a read token above.');
}

$('token-save').addEventListener('click', () => {
  auth.token = $('token').value.trim();
  $('token-box').hidden = true;
  connect();
  refresh();
  loadSilences();
});

/** Asks /health whether the store is reachable; shows the error state when it is not. */
async function checkHealth() {
  try {
    const res = await fetch('/health');
    const body = await res.json().catch(() => null);
    if (!res.ok || !body?.store?.reachable) {
      setBanner('error', `store unreachable — /health reports ${body?.status ?? res.status}; data shown may be stale`);
      return false;
    }
    if ($('banner').dataset.kind === 'error' && $('banner').textContent.startsWith('store unreachable')) setBanner(null);
    return true;
  } catch (err) {
    setBanner('error', `store unreachable — the txmon server does not answer (${err.message})`);
    return false;
  }
}

function handleError(err, what) {
  if (err instanceof ApiError && err.status === 401) return needToken();
  if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) {
    setBanner('error', `store unreachable — ${what} failed: ${err.message}`);
    void checkHealth();
    return;
  }
  setBanner('error', `${what} failed: ${err.message}`);
}

// ------------------------------------------------------------------ controls

function syncUrl() {
  const p = new URLSearchParams({ scope: state.scope, range: state.range });
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

for (const btn of document.querySelectorAll('[data-range]')) {
  btn.addEventListener('click', () => {
    state.range = btn.dataset.range;
    syncUrl();
    refresh();
  });
}
$('scope').addEventListener('change', () => {
  state.scope = $('scope').value;
  syncUrl();
  closeDetail();
  refresh();
});

function renderControls(scopes) {
  for (const btn of document.querySelectorAll('[data-range]')) btn.setAttribute('aria-pressed', String(btn.dataset.range === state.range));
  const select = $('scope');
  const all = [...new Set([state.scope, ...scopes])];
  const current = [...select.options].map((o) => o.value);
  if (current.join('\u0000') !== all.join('\u0000')) {
    // new Option(text, value) sets text, never markup.
    select.replaceChildren(...all.map((s) => new Option(s, s)));
  }
  select.value = state.scope;
}

// ------------------------------------------------------------------ panels

function renderKpis(kpis) {
  replaceChildren($('kpis'), kpis.map((k) => h('article', { className: `kpi sev-${k.severity}`, data: { kpi: k.key, severity: k.severity } },
    h('h3', {}, k.label),
    h('div', { className: 'value' }, k.severity === 'none' ? k.value : `${SEVERITY_ICON[k.severity]} ${k.value}`),
    h('div', { className: 'detail' }, k.detail))));
}

function renderCharts(charts) {
  if (!window.echarts) { setBanner('error', 'chart library failed to load (/assets/vendor/echarts.min.js)'); return; }
  for (const [name, option] of Object.entries(charts)) {
    const el = $(`chart-${name}`);
    if (!el) continue;
    let chart = state.charts.get(name);
    if (!chart) state.charts.set(name, (chart = window.echarts.init(el, null, { renderer: 'canvas' })));
    chart.setOption(themedOption(option), { notMerge: true, lazyUpdate: false });
    el.dataset.rendered = 'true';
  }
  state.lastCharts = charts;
}

function setLatest(latest) {
  if (!latest) return;
  $('latest-minute').textContent = fmtTime(latest.minute);
  $('latest-minute').setAttribute('datetime', latest.minute);
  // The latest minute's own verdict; "none" reads "normal" (open alerts are in the status text).
  const badge = severityBadge(latest.severity);
  if (latest.severity === 'none') badge.textContent = `${SEVERITY_ICON.none} normal`;
  replaceChildren($('latest-severity'), badge);
  $('latest-score').textContent = String(Math.round(latest.score));
  $('latest').title = latest.explanation ?? '';
  document.body.dataset.latestMinute = latest.minute;
  document.body.dataset.latestSeverity = latest.severity;
}

const SEV_RANK = { critical: 3, warning: 2, info: 1, none: 0 };

/**
 * The one-line state of the scope, from the open alerts (what is firing and since when), so the
 * header never says "nothing" beside open alerts; the latest minute's verdict follows it.
 */
function setStatus(view) {
  const el = $('status-text');
  const open = view.open ?? [];
  const firing = open.filter((a) => a.state === 'firing');
  const pending = open.filter((a) => a.state === 'pending');
  const worst = firing.reduce((w, a) => (SEV_RANK[a.severity] > SEV_RANK[w] ? a.severity : w), 'none');
  const since = (list) => list.slice(0, 2).map((a) => `${a.rule} since ${fmtTime(a.starts_at).slice(11, 16)}`).join(', ') + (list.length > 2 ? ` +${list.length - 2} more` : '');
  let text; let cls; let stateName;
  if (firing.length) { text = `${SEVERITY_ICON[worst] ?? '!'} ${firing.length} firing: ${since(firing)}`; cls = worst; stateName = 'firing'; }
  else if (pending.length) { text = `… ${pending.length} pending: ${since(pending)}`; cls = 'info'; stateName = 'pending'; }
  else if (view.empty) { text = '○ no data yet'; cls = 'none'; stateName = 'empty'; }
  else { text = '✓ all normal: nothing firing'; cls = 'ok'; stateName = 'ok'; }
  el.className = `sev sev-${cls}`;
  el.dataset.state = stateName;
  el.title = open.map((a) => `${a.severity} ${a.rule} (${a.state}) since ${fmtTime(a.starts_at)}: ${a.summary}`).join('\n');
  el.textContent = text;
}

/** Demo mode: the clock is simulated and accelerated; say so where the time is shown. */
function setDemo(demo) {
  const el = $('demo');
  if (!demo) { el.hidden = true; return; }
  el.hidden = false;
  el.textContent = `DEMO · simulated clock, ${demo.speedup}× real time (one minute every ${demo.interval_ms / 1000} s)`;
  el.title = 'txmon serve --demo: synthetic traffic with injected incidents; data times run ahead of the wall clock';
}

function renderAlerts(alerts) {
  const body = $('alerts').tBodies[0];
  $('alerts-count').textContent = `(${alerts.length} in range)`;
  $('alerts-empty').hidden = alerts.length > 0;
  replaceChildren(body, alerts.map((a) => h('tr', { data: { alertId: a.id, state: a.state } },
    h('td', {}, severityBadge(a.severity)),
    h('td', {}, h('strong', {}, a.rule), h('br'), h('span', { className: 'muted' }, Object.entries(a.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' '))),
    h('td', { className: 'explanation' }, a.summary, a.explanation && a.explanation !== a.summary ? h('div', { className: 'muted' }, a.explanation) : null),
    h('td', {}, fmtTime(a.starts_at)),
    h('td', {}, fmtDuration(a.duration_minutes)),
    h('td', {}, a.state === 'resolved' ? `✓ ${a.state}` : a.state === 'firing' ? `! ${a.state}` : `… ${a.state}`),
    h('td', {},
      h('button', { attrs: { type: 'button' }, data: { action: 'details' }, on: { click: () => openDetail(a.id) } }, 'Details'),
      ' ',
      h('a', { attrs: { href: `/alerts/${encodeURIComponent(a.id)}` }, data: { action: 'page' } }, 'Page'),
      ' ',
      a.state !== 'resolved' ? h('button', { attrs: { type: 'button' }, data: { action: 'silence' }, on: { click: () => openDetail(a.id, true) } }, 'Silence…') : null),
  )));
}

function render(view) {
  renderControls(view.scopes ?? []);
  renderKpis(view.kpis);
  renderCharts(view.charts);
  renderAlerts(view.alerts);
  setLatest(view.latest);
  setStatus(view);
  setDemo(view.demo);
  if (view.empty) setBanner('empty', view.scopes?.length ? `no data yet for scope "${state.scope}" in this range` : 'no data yet — post transactions to /api/v1/transactions');
  else if ($('banner').dataset.kind === 'empty' || $('banner').dataset.kind === 'error') setBanner(null);
  document.body.dataset.ready = 'true';
}

/** Reloads the panels; coalesces bursts (one request in flight, at most one queued). */
async function refresh() {
  if (state.refreshing) { state.refreshAgain = true; return; }
  state.refreshing = true;
  try {
    const q = new URLSearchParams({ scope: state.scope, range: state.range });
    render(await api(`/api/v1/dashboard?${q}`));
  } catch (err) {
    handleError(err, 'loading the dashboard');
  } finally {
    state.refreshing = false;
    if (state.refreshAgain) { state.refreshAgain = false; refresh(); }
  }
}

function scheduleRefresh(delay = 150) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refresh, delay);
}

// ------------------------------------------------------------------ alert detail + silence

function closeDetail() {
  $('detail').hidden = true;
  state.selected = null;
}
$('detail-close').addEventListener('click', closeDetail);

async function openDetail(id, focusSilence = false) {
  let a;
  try {
    a = await api(`/api/v1/alerts/${encodeURIComponent(id)}`);
  } catch (err) {
    return handleError(err, `loading alert ${id}`);
  }
  state.selected = a;
  $('detail').hidden = false;
  $('detail').dataset.alertId = a.id;
  $('detail-title').textContent = `Alert #${a.id}: ${a.rule}`;
  const field = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
  replaceChildren($('detail-fields'),
    field('severity', severityBadge(a.severity)), field('state', a.state), field('summary', a.summary), field('explanation', a.explanation),
    field('observed', fmtNumber(a.observed)), field('expected', a.expected === null ? '—' : fmtNumber(a.expected)), field('score', fmtNumber(a.score)),
    field('alert page', h('a', { attrs: { href: `/alerts/${encodeURIComponent(a.id)}` } }, `/alerts/${a.id}`)),
    field('labels', Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ')),
    field('started', fmtTime(a.starts_at)), field('ended', a.ends_at ? fmtTime(a.ends_at) : 'still open'), field('duration', fmtDuration(a.duration_minutes)));
  replaceChildren($('detail-history').tBodies[0], (a.history ?? []).map((t) => h('tr', {},
    h('td', {}, fmtTime(t.at)), h('td', {}, t.from ?? '—'), h('td', {}, t.to), h('td', {}, severityBadge(t.severity)), h('td', {}, String(t.score)), h('td', {}, t.note ?? ''))));
  $('silence-matchers').textContent = matchersOf(a).map(matcherText).join(', ');
  $('silence-comment').value = `silenced from the dashboard: ${a.rule}`;
  $('silence-result').textContent = '';
  $('silence-submit').disabled = a.state === 'resolved';
  $('detail').scrollIntoView({ block: 'nearest' });
  if (focusSilence) $('silence-comment').focus();
}

const matchersOf = (a) => Object.entries(a.labels).map(([name, value]) => ({ name, value: String(value), isRegex: false, isEqual: true }));
const matcherText = (m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}"${m.value}"`;

$('silence-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const a = state.selected;
  if (!a) return;
  const minutes = Number($('silence-duration').value);
  const now = Date.now();
  const body = {
    matchers: matchersOf(a), startsAt: new Date(now).toISOString(), endsAt: new Date(now + minutes * 60_000).toISOString(),
    createdBy: $('silence-author').value.trim() || 'dashboard', comment: $('silence-comment').value.trim() || `silenced from the dashboard: ${a.rule}`,
  };
  const result = $('silence-result');
  try {
    const created = await api('/api/v1/silences', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    result.textContent = `✓ silenced for ${fmtDuration(minutes)} (silence ${created?.id ?? ''})`;
    result.dataset.silenceId = created?.id ?? '';
    loadSilences();
  } catch (err) {
    result.textContent = `✕ could not silence: ${err.message}`;
  }
});

// ------------------------------------------------------------------ silences

const SILENCE_ICON = { active: '●', pending: '◇', expired: '○' };

async function loadSilences() {
  const body = $('silences').tBodies[0];
  let list;
  try {
    list = (await api('/api/v1/silences')).silences ?? [];
  } catch (err) {
    return handleError(err, 'loading silences');
  }
  // The API puts the state under status.state, as Alertmanager does.
  for (const s of list) s.state = s.status.state;
  const showExpired = $('show-expired').checked;
  const rank = { active: 0, pending: 1, expired: 2 };
  const shown = list.filter((s) => showExpired || s.state !== 'expired').sort((x, y) => (rank[x.state] ?? 3) - (rank[y.state] ?? 3));
  $('silences-empty').hidden = shown.length > 0;
  $('silences-empty').textContent = 'No silences.';
  replaceChildren(body, shown.map((s) => h('tr', { className: s.state === 'expired' ? 'expired' : '', data: { silenceId: s.id, state: s.state } },
    h('td', {}, `${SILENCE_ICON[s.state] ?? '?'} ${s.state}`),
    h('td', {}, (s.matchers ?? []).map(matcherText).join(', ')),
    h('td', {}, fmtTime(s.startsAt)),
    h('td', {}, fmtTime(s.endsAt)),
    h('td', {}, s.createdBy ?? ''),
    h('td', {}, s.comment ?? ''),
    h('td', {}, s.state === 'expired' ? null : h('button', { attrs: { type: 'button' }, data: { action: 'expire' }, on: { click: () => expireSilence(s.id) } }, 'Expire')))));
}
$('show-expired').addEventListener('change', loadSilences);

async function expireSilence(id) {
  try {
    await api(`/api/v1/silences/${encodeURIComponent(id)}`, { method: 'DELETE' });
  } catch (err) {
    return handleError(err, `expiring silence ${id}`);
  }
  loadSilences();
}

// ------------------------------------------------------------------ live stream

// With a token, the stream is opened with a short-lived ticket (POST /api/v1/events/ticket, token
// in the Authorization header), never with the token itself in the URL, where logs would keep it.
// A ticket is checked when the stream opens; when the browser's own reconnect is refused (the
// ticket expired) the page fetches a new one and resumes from the last event it saw.
let lastEventId = null;
let reconnectTimer = null;

async function streamUrl() {
  const params = new URLSearchParams();
  if (auth.token) {
    const { ticket } = await api('/api/v1/events/ticket', { method: 'POST' });
    params.set('ticket', ticket);
  }
  if (lastEventId !== null) params.set('last_event_id', lastEventId);
  const q = params.toString();
  return q ? `/api/v1/events?${q}` : '/api/v1/events';
}

async function connect() {
  state.source?.close();
  clearTimeout(reconnectTimer);
  let url;
  try {
    url = await streamUrl();
  } catch {
    setLive(false, 'reconnecting…');
    reconnectTimer = setTimeout(connect, 5000);
    return;
  }
  const es = new EventSource(url);
  state.source = es;
  const seen = (e) => { if (e.lastEventId) lastEventId = e.lastEventId; };
  es.addEventListener('hello', seen);
  es.addEventListener('open', () => setLive(true, 'live'));
  es.addEventListener('error', () => {
    const closed = es.readyState === EventSource.CLOSED;
    setLive(false, closed ? 'disconnected' : 'reconnecting…');
    void checkHealth();
    // Refused (expired ticket, server restarted): start over with a fresh ticket.
    if (closed && state.source === es) reconnectTimer = setTimeout(connect, 2000);
  });
  es.addEventListener('minutes', (e) => {
    seen(e);
    let list;
    try { list = JSON.parse(e.data); } catch { return; }
    const mine = list.filter((a) => a.scope === state.scope);
    if (mine.length === 0) { if (list.length) renderControls([...new Set([...[...$('scope').options].map((o) => o.value), ...list.map((a) => a.scope)])]); return; }
    const last = mine[mine.length - 1];
    // Show the new minute at once; the panels follow with the refresh.
    setLatest({ minute: last.minute, score: last.anomalyScore, severity: last.severity, explanation: last.explanation });
    scheduleRefresh();
  });
  es.addEventListener('alerts', (e) => { seen(e); scheduleRefresh(); loadSilences(); });
  es.addEventListener('reset', () => refresh());
}

window.addEventListener('resize', () => { for (const c of state.charts.values()) c.resize(); });
initTheme();
onThemeChange(() => { if (state.lastCharts) renderCharts(state.lastCharts); });
setInterval(checkHealth, 15_000);

renderControls([]);
syncUrl();
refresh();
loadSilences();
connect();
checkHealth();
