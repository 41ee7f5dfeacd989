// Playback: a day's timeline of a camera's recordings with the gaps; click to play from that moment, click again to seek.
import { allCameras, api, el, formatTime, problemBox, rightsOf, t } from '../core.js';
import { StreamPlayer } from '../player.js';

const day = 24 * 3600 * 1000;

export async function render(view, cameraId) {
  const candidates = (await allCameras()).filter(c => c.mode !== 'LiveOnly');
  const rights = await rightsOf(candidates.map(c => c.id), ['Playback']);
  const playable = candidates.filter(c => rights.get(c.id)?.allowed.has('Playback'));
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
  const video = el('video', { controls: true, muted: true, playsInline: true });
  video.muted = true;
  const position = el('span', { id: 'playback-position' }, '–');
  const message = el('div');
  const player = new StreamPlayer(video, {
    live: false,
    onState: (state, detail) => {
      if (state === 'ended') message.replaceChildren(el('p.muted', {}, detail.reason || ''));
    },
  });
  let recordings = null;
  let anchor = null;

  view.append(el('div.toolbar', {}, el('label', {}, t('playback.day'), dateInput),
    el('button.secondary', { type: 'button', onclick: () => step(-30) }, '−30 s'),
    el('button.secondary', { type: 'button', onclick: () => step(30) }, '+30 s'),
    el('span', {}, t('playback.position'), ' ', position)),
  el('div.panel', {}, canvas, legend), el('div.player', {}, video), message);

  function windowOfDay() {
    const [y, m, d] = dateInput.value.split('-').map(Number);
    const from = new Date(y, m - 1, d);
    return { from, to: new Date(from.getTime() + day) };
  }

  async function load() {
    const { from, to } = windowOfDay();
    recordings = await api(`/api/cameras/${encodeURIComponent(cameraId)}/recordings?from=${from.toISOString()}&to=${to.toISOString()}`);
    draw();
    const seconds = recordings.segments.reduce((s, x) => s + (new Date(x.end) - new Date(x.start)) / 1000, 0);
    legend.textContent = t('playback.summary', { segments: recordings.segments.length, minutes: Math.round(seconds / 60), gaps: recordings.gaps.length });
  }

  function x(date, from) { return ((new Date(date) - from) / day) * canvas.width; }

  function draw() {
    const { from } = windowOfDay();
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = '#f3d9d7';
    for (const gap of recordings?.gaps || []) g.fillRect(x(gap.from, from), 14, Math.max(1, x(gap.to, from) - x(gap.from, from)), 28);
    g.fillStyle = '#1b7f3b';
    for (const s of recordings?.segments || []) g.fillRect(x(s.start, from), 14, Math.max(1, x(s.end, from) - x(s.start, from)), 28);
    g.fillStyle = '#5b6675';
    g.font = '11px system-ui';
    for (let h = 0; h <= 24; h += 3) {
      const px = (h / 24) * canvas.width;
      g.fillRect(px, 42, 1, 6);
      g.fillText(`${String(h).padStart(2, '0')}:00`, Math.min(px + 2, canvas.width - 32), 56);
    }
    if (anchor) {
      g.fillStyle = '#005a9c';
      g.fillRect(x(current(), from) - 1, 4, 3, 44);
    }
  }

  // Plays from `at`: the session covers the rest of the day; the offset seeks within the first segment.
  async function playFrom(at) {
    message.replaceChildren();
    const { to } = windowOfDay();
    const segment = recordings.segments.find(s => new Date(s.end) > at);
    if (!segment) { message.replaceChildren(el('p.muted', {}, t('playback.nothingAfter'))); return; }
    const start = new Date(Math.max(at, new Date(segment.start)));
    try {
      const session = await api(`/api/cameras/${encodeURIComponent(cameraId)}/playback`, { method: 'POST', body: { from: start.toISOString(), to: to.toISOString() } });
      anchor = start;
      const offset = Math.max(0, (start - new Date(segment.start)) / 1000);
      player.connect(`${session.webSocketUrl}${session.webSocketUrl.includes('?') ? '&' : '?'}offset=${offset}`);
      draw();
    } catch (error) {
      message.replaceChildren(problemBox(error));
    }
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
    const { from } = windowOfDay();
    playFrom(new Date(from.getTime() + ((ev.clientX - rect.left) / rect.width) * day));
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
