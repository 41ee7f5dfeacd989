// Shared by every console page: calling the API, interface strings, building DOM, dates, and the SignalR event stream.

const state = { me: null, held: new Set(), strings: {}, fallback: {}, language: 'sv', events: null };

/** The signed-in user ({ userName, displayName, roles, organisationId }) or null. */
export const me = () => state.me;
export const setMe = value => { state.me = value; };
export const hasRole = (...roles) => !!state.me && roles.some(r => state.me.roles.includes(r));
export const language = () => state.language;
/** Whether the user holds a right on some camera (by role or grant; /api/access/held): which features to offer. */
export const holds = right => state.held.has(right);
export const setHeld = rights => { state.held = new Set(rights); };

/** An API failure carrying the problem document, so pages can show what the server said. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** Calls the hub's API with the session cookie; JSON in and out; throws ApiError with the problem document. */
export async function api(path, { method = 'GET', body, raw = false, contentType } = {}) {
  const headers = {};
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && typeof body !== 'string') {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  } else if (contentType) {
    headers['Content-Type'] = contentType;
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (response.status === 401 && !path.startsWith('/api/auth/')) {
    window.dispatchEvent(new CustomEvent('camerahub:signed-out'));
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ title: response.statusText }));
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/** Loads the interface strings for a language (resource files under /console/i18n), English as the fallback. */
export async function loadLanguage(lang) {
  const load = async l => (await fetch(`/console/i18n/${l}.json`)).json();
  state.fallback = Object.keys(state.fallback).length ? state.fallback : await load('en');
  state.strings = lang === 'en' ? state.fallback : await load(lang);
  state.language = lang;
  document.documentElement.lang = lang;
  localStorage.setItem('camerahub.language', lang);
}

/** The interface string for key, with {name} placeholders filled in. */
export function t(key, values = {}) {
  const text = state.strings[key] ?? state.fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? `{${name}}`);
}

/** Translates every [data-i18n] element under root (used for the static shell). */
export function translate(root = document) {
  root.querySelectorAll('[data-i18n]').forEach(node => { node.textContent = t(node.dataset.i18n); });
}

/**
 * Builds an element: el('button.secondary', { onclick }, 'text', child…). Attributes starting with "on" become listeners;
 * strings become text nodes, so server data is never parsed as HTML.
 */
export function el(spec, attributes = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const node = document.createElement(tag || 'div');
  if (classes.length) node.className = classes.join(' ');
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name in node && typeof value !== 'string') node[name] = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A problem box: the title plus every field or row error the API named. */
export function problemBox(error) {
  const problem = error instanceof ApiError ? error.problem : { title: String(error?.message || error) };
  const items = [];
  for (const [field, messages] of Object.entries(problem.errors || {})) {
    for (const message of [].concat(messages)) items.push(el('li', {}, field ? `${field}: ${message}` : message));
  }
  return el('div.problem', { role: 'alert' },
    el('strong', {}, problem.title || t('common.failed')),
    problem.detail && problem.title !== problem.detail ? el('div', {}, problem.detail) : null,
    items.length ? el('ul', {}, items) : null);
}

const stockholm = { timeZone: 'Europe/Stockholm' };

/** Date and time as people in the city read it (Europe/Stockholm), from a UTC instant. */
export function formatTime(value, { seconds = false } = {}) {
  if (!value) return '–';
  const date = value instanceof Date ? value : new Date(value);
  return date.toLocaleString(state.language === 'sv' ? 'sv-SE' : 'en-GB',
    { ...stockholm, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: seconds ? '2-digit' : undefined });
}

export const formatNumber = (value, digits = 0) =>
  value === null || value === undefined ? '–' : Number(value).toLocaleString(state.language === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: digits });

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes, unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return `${formatNumber(value, unit ? 1 : 0)} ${units[unit]}`;
}

/** A datetime-local input's value (local wall-clock) to an ISO UTC string, and back. */
export const localToIso = value => (value ? new Date(value).toISOString() : null);
export function isoToLocal(date) {
  const d = date instanceof Date ? date : new Date(date);
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Fills a pager with previous/next buttons for a paged API result; go(page) loads another page. */
export function showPages(pager, result, page, go) {
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  pager.replaceChildren(
    el('button.secondary', { type: 'button', disabled: page <= 1, onclick: () => go(page - 1) }, '‹'),
    el('span', {}, t('common.page', { page, pages })),
    el('button.secondary', { type: 'button', disabled: page >= pages, onclick: () => go(page + 1) }, '›'));
}

/** The hash route's query (#/wall?layout=4&cameras=A,B). */
export function routeQuery() {
  const hash = location.hash || '';
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

/** Replaces the route's query without adding a history entry or re-rendering. */
export function replaceQuery(params) {
  const path = (location.hash || '#/cameras').split('?')[0];
  const query = params.toString();
  history.replaceState(null, '', query ? `${path}?${query}` : path);
}

/**
 * The hub's SignalR events (camera status, viewer counts, ended sessions, evidence progress). One connection per page
 * load; handlers register with on() and are removed with the returned function when a page is left.
 */
export function events() {
  if (!state.events && window.signalR) {
    const connection = new window.signalR.HubConnectionBuilder()
      .withUrl('/hubs/events')
      .withAutomaticReconnect([0, 1000, 2000, 5000, 10000, 10000])
      .configureLogging(window.signalR.LogLevel.Warning)
      .build();
    const handlers = new Map();
    // cameraOwnerChanged: a followed camera moved to another node of the cluster (issue #17).
    for (const name of ['cameraStatus', 'viewerCount', 'sessionEnded', 'evidenceProgress', 'careVisitMissed', 'cameraOwnerChanged']) {
      handlers.set(name, new Set());
      connection.on(name, payload => handlers.get(name).forEach(h => h(payload)));
    }
    // Camera events come only for followed cameras (the hub checks the user may); a reconnect forgets them.
    const followed = new Map();
    const invoke = (method, ids) => (ids.length && connection.state === 'Connected' ? connection.invoke(method, ids).catch(() => {}) : Promise.resolve());
    connection.onreconnected(() => invoke('Follow', [...followed.keys()]));
    const started = connection.start().then(() => invoke('Follow', [...followed.keys()])).catch(() => {});
    state.events = {
      on(name, handler) { handlers.get(name).add(handler); return () => handlers.get(name).delete(handler); },
      /** Follows cameras' status and viewer counts; the returned function unfollows them. */
      follow(ids) {
        const fresh = ids.filter(id => !followed.has(id));
        ids.forEach(id => followed.set(id, (followed.get(id) || 0) + 1));
        invoke('Follow', fresh);
        return () => {
          const gone = ids.filter(id => followed.set(id, followed.get(id) - 1).get(id) <= 0);
          gone.forEach(id => followed.delete(id));
          invoke('Unfollow', gone);
        };
      },
      started,
      stop: () => connection.stop(),
    };
  }
  return state.events || { on: () => () => {}, follow: () => () => {}, started: Promise.resolve(), stop: () => {} };
}

export function stopEvents() {
  state.events?.stop();
  state.events = null;
}

/** Loads every page of a paged camera query (the registry pages at 1,000 at most). */
export async function allCameras(query = '') {
  const items = [];
  for (let page = 1; ; page++) {
    const result = await api(`/api/cameras?pageSize=1000&page=${page}${query ? `&${query}` : ''}`);
    items.push(...result.items);
    if (items.length >= result.total || result.items.length === 0) return items;
  }
}

/** The active cameras the caller may use for <right> now (the list a picker offers), decided by the server in one pass; the API decides again on use. */
export async function camerasWith(right) {
  return allCameras(`status=Active&right=${encodeURIComponent(right)}`);
}

/** The caller's rights on each camera (at most 100): Map id → { allowed: Set, refused: {right: reason} }. */
export async function rightsOf(cameraIds, rights = []) {
  const query = [...cameraIds.map(id => `camera=${encodeURIComponent(id)}`), ...rights.map(r => `right=${r}`)].join('&');
  const answers = await api(`/api/access/rights?${query}`);
  return new Map(answers.map(a => [a.cameraId, { allowed: new Set(a.allowed), refused: a.refused || {} }]));
}
