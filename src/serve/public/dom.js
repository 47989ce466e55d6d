// DOM helpers: every value reaches the page as text (textContent / attributes), never as HTML.

/** Creates an element; string and number children become text nodes, null/false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** A number with fixed decimals, or an en dash when missing. */
export const num = (v, d = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
/** A fraction as a percentage. */
export const pct = (v, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(d)}%`);
/** Money with thousands separators and cents. */
export const money = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
/** The date part of an ISO time. */
export const day = (iso) => (typeof iso === 'string' ? iso.slice(0, 10) : '–');

/** A table from column specs `{ label, value(row), num?: true }`; `onRow` makes rows clickable. */
export function table(columns, rows, opts = {}) {
  const head = h('tr', {}, columns.map((c) => h('th', { class: c.num ? 'num' : null }, c.label)));
  const body = rows.map((r, i) =>
    h(
      'tr',
      { class: [opts.onRow ? 'clickable' : '', opts.selected?.(r, i) ? 'selected' : ''].join(' ').trim() || null, 'data-row': opts.key?.(r, i) ?? null, onclick: opts.onRow ? () => opts.onRow(r, i) : null },
      columns.map((c) => h('td', { class: c.num ? 'num' : null, 'data-field': c.field ?? null }, c.value(r, i))),
    ),
  );
  return h('table', { class: opts.class ?? null }, h('thead', {}, head), h('tbody', {}, body));
}

/** A "nothing here yet" box saying which command fills it. */
export function emptyState(message, command) {
  return h('p', { class: 'empty' }, message, command ? [': run ', h('code', {}, command)] : null);
}

/** An error box naming what is wrong (and how to fix it, when known). */
export function errorBox(err) {
  return h('div', { class: 'error', role: 'alert' }, h('strong', {}, `Error${err.status ? ` ${err.status}` : ''}: `), err.message, err.hint ? ['\n', err.hint] : null);
}

/** A section card with a heading. */
export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...children);
}

/** An API failure carrying the server's message, hint and status. */
export class ApiFailure extends Error {
  constructor(status, message, hint) {
    super(message);
    this.status = status;
    this.hint = hint;
  }
}

/** GETs a JSON API path; a non-2xx answer becomes an ApiFailure with the server's message. */
export async function api(path) {
  let res;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' } });
  } catch (err) {
    throw new ApiFailure(0, `the dashboard server did not answer (${err.message})`, 'is `stockcast serve` still running?');
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiFailure(res.status, `the server answered ${res.status} without JSON for ${path}`);
  }
  if (!res.ok) throw new ApiFailure(res.status, body.error ?? `HTTP ${res.status}`, body.hint);
  return body;
}

/** The API result, or the failure as a value (for sections that render either). */
export async function tryApi(path) {
  try {
    return { ok: true, value: await api(path) };
  } catch (err) {
    return { ok: false, error: err };
  }
}

/** Renders a section's missing (404 → empty state with the command) or broken (error box) result. */
export function missingOrBroken(err) {
  const command = /^run `(.*)`$/.exec(err.hint ?? '')?.[1];
  if (err.status === 404) return command ? emptyState(err.message, command) : h('p', { class: 'empty' }, err.message, err.hint ? ` (${err.hint})` : null);
  return errorBox(err);
}

/** A link to a model's page. */
export const modelLink = (id) => h('a', { href: `/models/${encodeURIComponent(id)}` }, id);
