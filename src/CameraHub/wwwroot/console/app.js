// The console's shell: sign-in, navigation by what the user may do, language, and hash routing to the pages.
import { api, el, events, hasRole, holds, loadLanguage, me, problemBox, setHeld, setMe, stopEvents, t, translate } from './core.js';
import * as cameras from './pages/cameras.js';
import * as camera from './pages/camera.js';
import * as reports from './pages/reports.js';
import * as wall from './pages/wall.js';
import * as playback from './pages/playback.js';
import * as evidence from './pages/evidence.js';
import * as audit from './pages/audit.js';
import * as grants from './pages/grants.js';
import * as tonight from './pages/tonight.js';
import * as alarms from './pages/alarms.js';
import * as status from './pages/status.js';
import * as maskLifts from './pages/masklifts.js';

const view = document.getElementById('view');
let leave = null;

// Each route: the page module, and who is offered it (the API decides every action regardless).
const routes = [
  { path: /^\/cameras$/, page: cameras, nav: 'cameras', offered: () => true },
  { path: /^\/cameras\/([^/]+)$/, page: camera, offered: () => true },
  { path: /^\/reports$/, page: reports, nav: 'reports', offered: () => hasRole('Administrator', 'CameraOwner', 'DataProtectionOfficer') },
  { path: /^\/wall$/, page: wall, nav: 'wall', offered: () => holds('Live') },
  { path: /^\/playback(?:\/([^/]+))?$/, page: playback, nav: 'playback', offered: () => holds('Playback') },
  { path: /^\/evidence$/, page: evidence, nav: 'evidence', offered: () => holds('Export') || holds('ApproveExport') || hasRole('DataProtectionOfficer', 'Administrator') },
  { path: /^\/audit$/, page: audit, nav: 'audit', offered: () => hasRole('DataProtectionOfficer', 'Administrator') },
  { path: /^\/grants$/, page: grants, nav: 'grants', offered: () => hasRole('Administrator', 'CameraOwner') },
  { path: /^\/tonight$/, page: tonight, nav: 'tonight', offered: () => hasRole('CareOperator') },
  { path: /^\/alarms$/, page: alarms, nav: 'alarms', offered: () => true },
  { path: /^\/status$/, page: status, nav: 'status', offered: () => hasRole('Administrator') },
  { path: /^\/mask-lifts$/, page: maskLifts, nav: 'mask-lifts', offered: () => holds('Unmask') || holds('ApproveExport') || hasRole('DataProtectionOfficer', 'Administrator') },
];

function renderNav() {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...routes.filter(r => r.nav && r.offered())
    .map(r => el('a', { href: `#/${r.nav}`, dataset: { nav: r.nav } }, t(`nav.${r.nav}`))));
  const user = me();
  document.getElementById('who').textContent = user ? `${user.displayName || user.userName} (${user.roles.map(r => t(`role.${r}`)).join(', ')})` : '';
  document.getElementById('top').hidden = !user;
  translate(document.getElementById('top'));
}

async function route() {
  if (leave) { try { leave(); } catch { /* a page's cleanup must not stop navigation */ } leave = null; }
  if (!me()) { renderSignIn(); return; }
  const path = location.hash.replace(/^#/, '').split('?')[0].replace(/^\/?$/, '/cameras');
  const match = routes.map(r => ({ r, m: path.match(r.path) })).find(x => x.m);
  document.querySelectorAll('nav#nav a').forEach(a => a.classList.toggle('active', !!match && a.dataset.nav === (match.r.nav || 'cameras')));
  view.replaceChildren();
  if (!match) { view.append(el('h1', {}, t('common.notFound'))); return; }
  if (!match.r.offered()) { view.append(el('h1', {}, t('common.notOffered'))); return; }
  try {
    leave = await match.r.page.render(view, ...match.m.slice(1).map(p => (p === undefined ? undefined : decodeURIComponent(p)))) || null;
  } catch (error) {
    view.append(problemBox(error));
  }
}

function renderSignIn(message) {
  document.getElementById('top').hidden = true;
  const error = el('div.error', { role: 'alert', id: 'signin-error' }, message || '');
  const form = el('form', { id: 'signin' },
    el('label', {}, t('signin.user'), el('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true })),
    el('label', {}, t('signin.password'), el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    el('button', { type: 'submit' }, t('signin.submit')),
    error);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    error.textContent = '';
    const data = Object.fromEntries(new FormData(form));
    try {
      await api('/api/auth/login', { method: 'POST', body: data });
      await start();
    } catch (e) {
      error.textContent = e.problem?.detail || e.message;
    }
  });
  const languages = el('p.muted', {}, el('a', { href: '#', onclick: ev => { ev.preventDefault(); switchLanguage('sv'); } }, 'Svenska'), ' · ',
    el('a', { href: '#', onclick: ev => { ev.preventDefault(); switchLanguage('en'); } }, 'English'));
  view.replaceChildren(el('div.signin.panel', {}, el('h1', {}, t('signin.title')), el('p.muted', {}, t('signin.intro')), form, languages));
}

async function switchLanguage(lang) {
  await loadLanguage(lang);
  document.getElementById('language').value = lang;
  renderNav();
  await route();
}

/** Finds out who is signed in (cookie) and what they hold, then shows the page the address asks for. */
async function start() {
  try {
    setMe(await api('/api/auth/me'));
    setHeld((await api('/api/access/held')).rights);
    events();
  } catch {
    setMe(null);
    setHeld([]);
  }
  renderNav();
  alarms.watchBadge();
  await route();
}

window.addEventListener('hashchange', route);
window.addEventListener('camerahub:signed-out', () => {
  if (!me()) return;
  setMe(null);
  stopEvents();
  renderSignIn(t('signin.expired'));
});
document.getElementById('signout').addEventListener('click', async () => {
  await api('/api/auth/logout', { method: 'POST' }).catch(() => {});
  setMe(null);
  stopEvents();
  location.hash = '#/cameras';
  renderSignIn();
});
document.getElementById('language').addEventListener('change', ev => switchLanguage(ev.target.value));

const params = new URLSearchParams(location.search);
const language = params.get('lang') || localStorage.getItem('camerahub.language') || document.documentElement.lang || 'sv';
await loadLanguage(language);
document.getElementById('language').value = language;
await start();
