/**
 * Light / dark theme for every page: follows prefers-color-scheme until the user picks one with
 * the header toggle (kept in localStorage). The CSS reads <html data-theme="light|dark">; charts
 * get their text and background colours adapted by themedOption().
 */
const KEY = 'txmon.theme';
const media = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
const listeners = new Set();

function stored() { try { return localStorage.getItem(KEY) || 'auto'; } catch { return 'auto'; } }

/** 'light' | 'dark' as shown now. */
export function currentTheme() {
  const pref = stored();
  if (pref === 'light' || pref === 'dark') return pref;
  return media?.matches ? 'dark' : 'light';
}

function apply() {
  const t = currentTheme();
  document.documentElement.dataset.theme = t;
  const btn = document.getElementById('theme-toggle');
  if (btn) {
    btn.textContent = t === 'dark' ? '☀ light' : '☾ dark';
    btn.setAttribute('aria-label', `switch to the ${t === 'dark' ? 'light' : 'dark'} theme`);
    btn.setAttribute('aria-pressed', String(t === 'dark'));
  }
  for (const fn of listeners) fn(t);
}

/** Calls fn(theme) whenever the theme changes (toggle or system setting). */
export function onThemeChange(fn) { listeners.add(fn); }

/** Wires the header toggle (a button with id theme-toggle) and applies the theme. */
export function initTheme() {
  apply();
  media?.addEventListener?.('change', apply);
  document.getElementById('theme-toggle')?.addEventListener('click', () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    // Back to "auto" when the choice equals what the system asks for.
    try { localStorage.setItem(KEY, next === (media?.matches ? 'dark' : 'light') ? 'auto' : next); } catch { /* private mode */ }
    apply();
  });
}

const DARK_COLOURS = { '#222222': '#e8e8e8', '#555555': '#b4b4b4', '#888888': '#8c8c8c', '#ffffff': 'transparent', '#fff': 'transparent' };

/** A chart option as the server built it (light), recoloured for the dark theme when needed. */
export function themedOption(option, theme = currentTheme()) {
  // Always a copy: ECharts consumes `media` from the object it is given, and the same option is
  // set again when the theme changes.
  if (theme !== 'dark') return structuredClone(option);
  const walk = (v) => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    if (typeof v === 'string' && DARK_COLOURS[v.toLowerCase()] !== undefined) return DARK_COLOURS[v.toLowerCase()];
    return v;
  };
  const out = walk(option);
  if (!out.backgroundColor || out.backgroundColor === 'transparent') out.backgroundColor = 'transparent';
  return out;
}
