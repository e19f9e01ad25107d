/**
 * The alert page: /alerts/<id>, /alerts?fingerprint=<fp> (notification links), /alerts (a list).
 * Data: GET /api/v1/alert-page (src/api/routes/alertPage.ts). All data goes into the DOM as text.
 */
import { api, ApiError, auth, fmtDuration, fmtTime, h, replaceChildren, severityBadge } from './dom.js';
import { initTheme, onThemeChange, themedOption } from './theme.js';

const $ = (id) => document.getElementById(id);
const state = { view: null, chart: null };

function setBanner(text) {
  const el = $('banner');
  el.hidden = !text;
  el.className = text ? 'banner error' : 'banner';
  el.textContent = text ?? '';
}

function handleError(err, what) {
  if (err instanceof ApiError && err.status === 401) {
    $('token-box').hidden = false;
    setBanner('This server needs an API token: enter a read token above.');
    return;
  }
  setBanner(`${what} failed: ${err.message}`);
}

$('token-save').addEventListener('click', () => {
  auth.token = $('token').value.trim();
  $('token-box').hidden = true;
  load();
});

/** The alert the URL names: {id} from /alerts/<id>, {fingerprint} from ?fingerprint=, or null. */
function target() {
  const m = /^\/alerts\/(\d+)\/?$/.exec(location.pathname);
  if (m) return { id: m[1] };
  const fp = new URLSearchParams(location.search).get('fingerprint');
  return fp ? { fingerprint: fp } : null;
}

const stateText = (a) => (a.state === 'resolved' ? `✓ resolved ${fmtTime(a.ends_at)}` : a.state === 'firing' ? `! firing since ${fmtTime(a.starts_at)}` : `… pending since ${fmtTime(a.starts_at)}`);

function renderChart() {
  if (!state.view || !window.echarts) return;
  state.chart ??= window.echarts.init($('chart-alert'), null, { renderer: 'canvas' });
  state.chart.setOption(themedOption(state.view.chart), { notMerge: true });
  $('chart-alert').dataset.rendered = 'true';
}

function render(v) {
  state.view = v;
  const a = v.alert;
  document.title = `txmon — #${a.id} ${a.rule} (${a.state})`;
  $('alert').hidden = false;
  $('alert').dataset.alertId = a.id;
  $('alert').dataset.state = a.state;
  replaceChildren($('alert-title'), severityBadge(a.severity), ` #${a.id} ${a.rule} · ${a.labels.scope ?? 'all'}`);
  const muted = a.status && a.status.state === 'suppressed' ? ` · muted (${a.status.silencedBy.length ? 'silenced' : 'inhibited'})` : '';
  $('alert-state').textContent = `${stateText(a)} · ${fmtDuration(a.duration_minutes)}${muted}`;
  replaceChildren($('evidence'), v.evidence.flatMap((e) => [h('dt', {}, e.label), h('dd', {}, e.value)]));
  replaceChildren($('labels'), Object.entries(a.labels).map(([k, val]) => h('code', { className: 'label' }, `${k}=${val}`)));
  $('to-dashboard').href = v.dashboard;
  replaceChildren($('history').tBodies[0], v.history.map((t) => h('tr', {},
    h('td', {}, fmtTime(t.at)), h('td', {}, t.from ?? '—'), h('td', {}, t.to), h('td', {}, severityBadge(t.severity)), h('td', {}, t.score_text), h('td', {}, t.note ?? ''))));
  replaceChildren($('notified').tBodies[0], v.notified.map((n) => h('tr', { data: { state: n.state } },
    h('td', {}, n.integration), h('td', {}, n.status), h('td', {}, fmtTime(n.created_at)),
    h('td', {}, n.delivered_at ? fmtTime(n.delivered_at) : '—'),
    h('td', {}, n.state === 'delivered' ? '✓ delivered' : n.state === 'failed' ? `✕ failed${n.last_error ? `: ${n.last_error}` : ''}` : `… ${n.state}${n.attempts ? ` (${n.attempts} attempts)` : ''}`))));
  $('notified-empty').hidden = v.notified.length > 0;
  $('notified-empty').textContent = v.notifications_enabled ? 'No notification sent for this alert yet (group_wait, a silence or an inhibition may hold it).' : 'This server runs no notification pipeline.';
  $('silence-matchers').textContent = Object.entries(a.labels).map(([k, val]) => `${k}="${val}"`).join(', ');
  $('silence-comment').value = `silenced from the alert page: ${a.rule}`;
  $('silence-submit').disabled = a.state === 'resolved';
  renderChart();
  document.body.dataset.ready = 'true';
}

async function renderList() {
  $('list').hidden = false;
  let list;
  try {
    list = (await api('/api/v1/alerts?limit=100')).alerts ?? [];
  } catch (err) {
    return handleError(err, 'loading alerts');
  }
  $('alerts-empty').hidden = list.length > 0;
  replaceChildren($('alerts').tBodies[0], list.map((a) => h('tr', { data: { alertId: a.id } },
    h('td', {}, severityBadge(a.severity)),
    h('td', {}, h('a', { attrs: { href: `/alerts/${a.id}` } }, `#${a.id} ${a.rule}`), h('br'), h('span', { className: 'muted' }, a.labels.scope ?? '')),
    h('td', {}, a.summary),
    h('td', {}, fmtTime(a.starts_at)),
    h('td', {}, a.state))));
  document.body.dataset.ready = 'true';
}

async function load() {
  const t = target();
  if (!t) return renderList();
  const q = new URLSearchParams(t);
  try {
    render(await api(`/api/v1/alert-page?${q}`));
    setBanner(null);
  } catch (err) {
    handleError(err, `loading alert ${t.id ? `#${t.id}` : `with fingerprint ${t.fingerprint}`}`);
    document.body.dataset.ready = 'true';
  }
}

$('silence-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const a = state.view?.alert;
  if (!a) return;
  const minutes = Number($('silence-duration').value);
  const now = Date.now();
  const body = {
    matchers: Object.entries(a.labels).map(([name, value]) => ({ name, value: String(value), isRegex: false, isEqual: true })),
    startsAt: new Date(now).toISOString(), endsAt: new Date(now + minutes * 60_000).toISOString(),
    createdBy: $('silence-author').value.trim() || 'alert page', comment: $('silence-comment').value.trim() || `silenced from the alert page: ${a.rule}`,
  };
  try {
    const created = await api('/api/v1/silences', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    $('silence-result').textContent = `✓ silenced for ${fmtDuration(minutes)} (silence ${created?.id ?? ''})`;
    $('silence-result').dataset.silenceId = created?.id ?? '';
  } catch (err) {
    $('silence-result').textContent = `✕ could not silence: ${err.message}`;
  }
});

initTheme();
onThemeChange(renderChart);
window.addEventListener('resize', () => state.chart?.resize());
load();
