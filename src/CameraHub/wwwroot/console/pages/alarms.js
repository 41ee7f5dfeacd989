// The alarm queue: camera events and the hub's own alarms the user may see, most severe and oldest first, live over
// SignalR (/hubs/alarms) with a badge and a sound for new ones; acknowledge, comment, close with an outcome; one click
// to the camera's live view or to playback at the event's time, and "request evidence" with a window around it.
import { api, el, formatTime, problemBox, rightsOf, t } from '../core.js';

const rank = { Critical: 4, Major: 3, Warning: 2, Info: 1 };
const alarms = new Map();
const listeners = new Set();
// The caller's rights per camera, asked once per camera: which of live, playback and evidence to offer.
const rights = new Map();
let connection = null;

/** One SignalR connection per page load; pages and the badge listen to it. */
function connect() {
  if (connection || !window.signalR) return;
  connection = new window.signalR.HubConnectionBuilder().withUrl('/hubs/alarms')
    .withAutomaticReconnect([0, 1000, 2000, 5000, 10000]).configureLogging(window.signalR.LogLevel.Warning).build();
  connection.on('alarm', alarm => {
    const fresh = !alarms.has(alarm.id) && alarm.state === 'New';
    alarms.set(alarm.id, alarm);
    if (fresh) beep();
    listeners.forEach(l => l(alarm));
  });
  connection.start().catch(() => {});
}

/** The nav badge: how many alarms are new. Called once the user is known. */
export function watchBadge() {
  connect();
  const update = () => {
    const link = document.querySelector('nav#nav a[data-nav="alarms"]');
    if (!link) return;
    const count = [...alarms.values()].filter(a => a.state === 'New').length;
    let badge = link.querySelector('.badge');
    if (!badge) { badge = el('span.badge.bad', { id: 'alarm-badge' }); link.append(' ', badge); }
    badge.textContent = String(count);
    badge.hidden = count === 0;
  };
  listeners.add(update);
  api('/api/alarms').then(list => { list.forEach(a => alarms.set(a.id, a)); update(); }).catch(() => {});
}

function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.2);
  } catch { /* no sound where the browser refuses it */ }
}

const sorted = () => [...alarms.values()].filter(a => a.state !== 'Closed')
  .sort((a, b) => (rank[b.severity] - rank[a.severity]) || (new Date(a.raisedAt) - new Date(b.raisedAt)));

export async function render(view) {
  connect();
  const table = el('div', { id: 'alarm-queue' });
  const draw = () => table.replaceChildren(queueTable(sorted(), draw));
  (await api('/api/alarms')).forEach(a => alarms.set(a.id, a));
  listeners.add(draw);
  view.append(el('h1', {}, t('alarms.title')), el('p.muted', {}, t('alarms.intro')), table);
  draw();
  return () => listeners.delete(draw);
}

function queueTable(list, redraw) {
  if (list.length === 0) return el('p.muted', { id: 'alarm-empty' }, t('alarms.none'));
  return el('table', {},
    el('thead', {}, el('tr', {}, ['severity', 'at', 'camera', 'text', 'state', 'actions'].map(c => el('th', {}, t(`alarms.col.${c}`))))),
    el('tbody', {}, list.map(a => el('tr', { dataset: { alarm: String(a.id), kind: a.kind, state: a.state } },
      el('td', {}, el(`span.badge.${a.severity === 'Info' ? 'ok' : a.severity === 'Warning' ? 'warn' : 'bad'}`, {}, t(`alarms.severity.${a.severity}`))),
      el('td', {}, formatTime(a.occurredAt, { seconds: true })),
      el('td', {}, a.cameraId || ''),
      el('td', {}, a.text, a.count > 1 ? el('span.muted', {}, ` ×${a.count}`) : null, a.comments.length ? el('div.muted', {}, a.comments.map(c => `${c.author}: ${c.text}`).join(' · ')) : null),
      el('td', {}, t(`alarms.state.${a.state}`), a.acknowledgedBy ? el('div.muted', {}, a.acknowledgedBy) : null),
      el('td', {}, actions(a, redraw))))));
}

function actions(alarm, redraw) {
  const step = async (path, body) => {
    try {
      const updated = await api(`/api/alarms/${alarm.id}/${path}`, { method: 'POST', body });
      alarms.set(updated.id, updated);
      listeners.forEach(l => l(updated));
    } catch (e) {
      redraw();
      document.getElementById('alarm-queue')?.prepend(problemBox(e));
    }
  };
  const note = el('input', { name: 'note', placeholder: t('alarms.note'), 'aria-label': t('alarms.note') });
  const links = el('span', { dataset: { links: alarm.cameraId || '' } });
  if (alarm.cameraId) {
    if (!rights.has(alarm.cameraId)) rights.set(alarm.cameraId, rightsOf([alarm.cameraId], ['Live', 'Playback', 'Export']).catch(() => new Map()));
    rights.get(alarm.cameraId).then(map => {
      const allowed = map.get(alarm.cameraId)?.allowed || new Set();
      const at = new Date(alarm.occurredAt);
      const around = new URLSearchParams({ camera: alarm.cameraId, from: new Date(at - 60000).toISOString(), to: new Date(+at + 60000).toISOString() });
      links.replaceChildren(
        allowed.has('Live') ? el('a.button.secondary', { href: `#/wall?cameras=${encodeURIComponent(alarm.cameraId)}&layout=1`, dataset: { action: 'live' } }, t('alarms.live')) : '',
        allowed.has('Playback') ? el('a.button.secondary', { href: `#/playback/${encodeURIComponent(alarm.cameraId)}?at=${encodeURIComponent(alarm.occurredAt)}`, dataset: { action: 'playback' } }, t('alarms.playback')) : '',
        allowed.has('Export') ? el('a.button.secondary', { href: `#/evidence?${around}`, dataset: { action: 'evidence' } }, t('alarms.evidence')) : '');
    });
  }
  return el('div.toolbar', {},
    alarm.state === 'New' ? el('button', { type: 'button', dataset: { action: 'acknowledge' }, onclick: () => step('acknowledge') }, t('alarms.acknowledge')) : null,
    note,
    el('button.secondary', { type: 'button', dataset: { action: 'comment' }, onclick: () => note.value && step('comments', { text: note.value }) }, t('alarms.comment')),
    el('button.secondary', { type: 'button', dataset: { action: 'close' }, onclick: () => step('close', { outcome: note.value }) }, t('alarms.close')),
    links);
}
