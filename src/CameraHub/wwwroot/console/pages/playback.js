// Playback: a day's timeline of a camera's recordings with the gaps; click to play from that moment, click again to seek.
import { api, camerasWith, el, formatTime, holds, me, problemBox, t } from '../core.js';
import { StreamPlayer } from '../player.js';
import { showFeedMarks } from './maskmark.js';
import { bookmarkForm, drawMarks, loadMarks, markList } from './playbackmarks.js';

const day = 24 * 3600 * 1000;
const minute = 60 * 1000;
// Zoom levels of the timeline and the spacing of their tick marks.
const spans = [
  { ms: 10 * minute, tick: minute, label: '10 min' },
  { ms: 60 * minute, tick: 10 * minute, label: '1 h' },
  { ms: 6 * 60 * minute, tick: 60 * minute, label: '6 h' },
  { ms: day, tick: 3 * 60 * minute, label: '24 h' },
];

/** h:mm:ss for a number of seconds. */
function duration(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export async function render(view, cameraId) {
  const playable = await camerasWith('Playback');
  const picker = el('select', { id: 'playback-camera', 'aria-label': t('playback.camera') },
    el('option', { value: '' }, t('playback.choose')),
    playable.map(c => el('option', { value: c.id, selected: c.id === cameraId }, `${c.id} – ${c.name}`)));
  picker.addEventListener('change', () => { location.hash = picker.value ? `#/playback/${encodeURIComponent(picker.value)}` : '#/playback'; });
  view.append(el('h1', {}, t('playback.title')), el('div.toolbar', {}, el('label', {}, t('playback.camera'), picker)));
  if (!cameraId) return undefined;

  const today = new Date();
  const dateInput = el('input', { type: 'date', value: today.toLocaleDateString('sv-SE'), 'aria-label': t('playback.day') });
  const canvas = el('canvas.timeline', { id: 'timeline', width: 1200, height: 56, 'aria-label': t('playback.timeline') });
  const legend = el('p.muted', { id: 'timeline-summary' });
  // Gaps with a known cause (a missing file, the camera moving between nodes) are listed under the timeline.
  const gapReasons = el('ul.muted', { id: 'timeline-gaps' });
  const video = el('video', { controls: true, muted: true, playsInline: true });
  video.muted = true;
  const position = el('span', { id: 'playback-position' }, '–');
  const playerBox = el('div.player', {}, video);
  let stopMarks = () => {};
  const message = el('div');
  const player = new StreamPlayer(video, {
    live: false,
    onState: (state, detail) => {
      if (state === 'ended') message.replaceChildren(el('p.muted', {}, detail.reason || ''));
    },
  });
  let recordings = null;
  // Events and bookmarks of the shown day (playbackmarks.js).
  let marks = [];
  const marksBox = el('div');
  let anchor = null;
  // The visible part of the day: the whole day, or zoomed in so that short recordings and gaps can be told apart.
  let span = day;
  let viewStart = null;

  const zoomButtons = spans.map(z => el('button.secondary', { type: 'button', dataset: { zoom: String(z.ms) }, onclick: () => zoom(z.ms) }, z.label));
  view.append(el('div.toolbar', {}, el('label', {}, t('playback.day'), dateInput),
    el('span', {}, t('playback.zoom')), zoomButtons,
    el('button.secondary', { type: 'button', title: t('playback.earlier'), onclick: () => pan(-0.5) }, '‹'),
    el('button.secondary', { type: 'button', title: t('playback.later'), onclick: () => pan(0.5) }, '›'),
    el('button.secondary', { type: 'button', onclick: () => step(-30) }, '−30 s'),
    el('button.secondary', { type: 'button', onclick: () => step(30) }, '+30 s'),
    el('span', {}, t('playback.position'), ' ', position)),
  el('div.panel', {}, canvas, legend, gapReasons, marksBox), playerBox, message,
  bookmarkForm(cameraId, () => (anchor ? current() : new Date(viewStart.getTime() + span / 2)), () => loadDayMarks()));

  async function loadDayMarks() {
    const { from, to } = windowOfDay();
    marks = await loadMarks(cameraId, from, to);
    canvas.dataset.marks = String(marks.length);
    marksBox.replaceChildren(markList(marks, at => playFrom(at)));
    draw();
  }

  function windowOfDay() {
    const [y, m, d] = dateInput.value.split('-').map(Number);
    const from = new Date(y, m - 1, d);
    return { from, to: new Date(from.getTime() + day) };
  }

  async function load() {
    const { from, to } = windowOfDay();
    recordings = await api(`/api/cameras/${encodeURIComponent(cameraId)}/recordings?from=${from.toISOString()}&to=${to.toISOString()}`);
    const seconds = recordings.segments.reduce((sum, x) => sum + (new Date(x.end) - new Date(x.start)) / 1000, 0);
    legend.textContent = t('playback.summary', { segments: recordings.segments.length, duration: duration(seconds), gaps: recordings.gaps.length });
    gapReasons.replaceChildren(...recordings.gaps.filter(g => g.reason).map(g =>
      el('li', {}, t('playback.gapReason', { from: formatTime(g.from, { seconds: true }), to: formatTime(g.to, { seconds: true }), reason: g.reason }))));
    // Fit the view to what was recorded that day (at least ten minutes, at most the day), then add the day's marks:
    // the timeline is usable (and its summary true) before the marks arrive.
    if (recordings.segments.length) {
      const first = new Date(recordings.segments[0].start), last = new Date(recordings.segments.at(-1).end);
      const fit = spans.find(z => z.ms >= (last - first) * 1.2)?.ms ?? day;
      setView(fit, new Date((first.getTime() + last.getTime()) / 2));
    } else {
      setView(day, new Date(from.getTime() + day / 2));
    }
    await loadDayMarks();
  }

  function setView(ms, centre) {
    const { from } = windowOfDay();
    span = ms;
    viewStart = new Date(Math.min(Math.max(centre.getTime() - ms / 2, from.getTime()), from.getTime() + day - ms));
    canvas.dataset.viewStart = viewStart.toISOString();
    canvas.dataset.viewSpan = String(span);
    zoomButtons.forEach(b => b.classList.toggle('secondary', Number(b.dataset.zoom) !== span));
    draw();
  }

  function zoom(ms) { setView(ms, anchor ? current() : new Date(viewStart.getTime() + span / 2)); }
  function pan(fraction) { setView(span, new Date(viewStart.getTime() + span / 2 + fraction * span)); }

  function x(date) { return ((new Date(date) - viewStart) / span) * canvas.width; }

  function draw() {
    if (!viewStart) return;
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#f3d9d7';
    for (const gap of recordings?.gaps || []) g.fillRect(x(gap.from), 14, Math.max(1, x(gap.to) - x(gap.from)), 28);
    g.fillStyle = '#1b7f3b';
    for (const seg of recordings?.segments || []) g.fillRect(x(seg.start), 14, Math.max(2, x(seg.end) - x(seg.start) - 1), 28);
    drawMarks(g, marks, x);
    g.fillStyle = '#5b6675';
    g.font = '11px system-ui';
    const tick = spans.find(z => z.ms === span).tick;
    for (let at = Math.ceil(viewStart.getTime() / tick) * tick; at <= viewStart.getTime() + span; at += tick) {
      const px = x(at);
      g.fillRect(px, 42, 1, 6);
      g.fillText(new Date(at).toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit' }), Math.min(px + 2, canvas.width - 32), 56);
    }
    if (anchor) {
      g.fillStyle = '#005a9c';
      g.fillRect(x(current()) - 1, 4, 3, 44);
    }
  }

  // Plays from `at`: the session covers the rest of the day; the offset seeks within the first segment.
  async function playFrom(at) {
    message.replaceChildren();
    const segment = recordings.segments.find(seg => new Date(seg.end) > at);
    if (!segment) { message.replaceChildren(el('p.muted', {}, t('playback.nothingAfter'))); return; }
    const start = new Date(Math.max(at, new Date(segment.start)));
    // Under an approved mask lift of a window of recordings, the session stays inside that window (a lift covers only it).
    const lift = await liftCovering(start);
    const to = lift ? new Date(Math.min(windowOfDay().to, new Date(lift.playbackTo))) : windowOfDay().to;
    try {
      const session = await api(`/api/cameras/${encodeURIComponent(cameraId)}/playback`, { method: 'POST', body: { from: start.toISOString(), to: to.toISOString() } });
      anchor = start;
      stopMarks();
      stopMarks = showFeedMarks(playerBox, session);
      if (session.masked && holds('Unmask')) {
        const from = viewStart.toISOString(), until = new Date(viewStart.getTime() + span).toISOString();
        message.append(el('p.muted', {}, el('a', { href: `#/mask-lifts?camera=${encodeURIComponent(cameraId)}&from=${from}&to=${until}`, dataset: { action: 'request-lift' } },
          t('lifts.requestWindow'))));
      }
      const offset = Math.max(0, (start - new Date(segment.start)) / 1000);
      player.connect(`${session.webSocketUrl}${session.webSocketUrl.includes('?') ? '&' : '?'}offset=${offset}`);
      draw();
    } catch (error) {
      message.replaceChildren(problemBox(error));
    }
  }

  async function liftCovering(at) {
    if (!holds('Unmask')) return null;
    const lifts = await api('/api/mask-lifts?state=Approved').catch(() => []);
    return lifts.find(l => l.cameraId === cameraId && l.requestedBy.toLowerCase() === me().userName.toLowerCase() && l.playbackFrom
      && new Date(l.playbackFrom) <= at && at < new Date(l.playbackTo)) || null;
  }

  function step(seconds) {
    if (anchor) playFrom(new Date(current().getTime() + seconds * 1000));
  }

  // Where playback is: the chosen moment plus how far the video has played since (the segments carry their own clocks).
  function current() {
    const b = video.buffered;
    if (!anchor || b.length === 0) return anchor || new Date();
    const since = Math.max(0, video.currentTime - b.start(0));
    return new Date((player.stats.resets > 1 && player.stats.start ? new Date(player.stats.start) : anchor).getTime() + since * 1000);
  }

  canvas.addEventListener('click', ev => {
    const rect = canvas.getBoundingClientRect();
    playFrom(new Date(viewStart.getTime() + ((ev.clientX - rect.left) / rect.width) * span));
  });
  dateInput.addEventListener('change', () => load().catch(e => message.replaceChildren(problemBox(e))));
  const ticker = setInterval(() => {
    if (!anchor) return;
    position.textContent = formatTime(current(), { seconds: true });
    draw();
  }, 1000);

  await load();
  return () => { clearInterval(ticker); player.dispose(); };
}
