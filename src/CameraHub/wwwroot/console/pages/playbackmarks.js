// Marks on the playback timeline: the camera's events (motion, tamper, inputs…) and operators' bookmarks of the shown
// day, drawn above the recordings and listed below them (a click plays from the mark); and the form that adds a
// bookmark with a note at the playback position.
import { api, el, formatTime, problemBox, t } from '../core.js';

/** The day's marks, oldest first; a list the caller may not read (no right on events) is left out, not an error. */
export async function loadMarks(cameraId, from, to) {
  const id = encodeURIComponent(cameraId);
  const window = `from=${from.toISOString()}&to=${to.toISOString()}`;
  const [events, bookmarks] = await Promise.all([
    api(`/api/cameras/${id}/events?${window}`).catch(() => []),
    api(`/api/cameras/${id}/bookmarks?${window}`).catch(() => []),
  ]);
  // A state turning off is the end of something, not a mark of its own.
  const marks = [
    ...events.filter(e => e.active !== false && e.operation !== 'Initialized').map(e => ({ kind: 'event', at: new Date(e.occurredAt), to: new Date(e.occurredAt), label: e.category })),
    ...bookmarks.map(b => ({ kind: 'bookmark', at: new Date(b.at), to: new Date(b.to), label: b.note, by: b.createdBy })),
  ];
  return marks.sort((a, b) => a.at - b.at);
}

/** Draws the marks in the band above the recordings: events as orange ticks, bookmarks as blue flags over their span. */
export function drawMarks(g, marks, x) {
  for (const mark of marks) {
    const from = x(mark.at);
    if (mark.kind === 'event') {
      g.fillStyle = '#c25400';
      g.fillRect(from - 1, 0, 3, 13);
    } else {
      g.fillStyle = '#005a9c';
      g.fillRect(from, 2, Math.max(3, x(mark.to) - from), 5);
      g.fillRect(from, 0, 2, 13);
    }
  }
}

/** The marks as a list a screen reader and a keyboard can use; choosing one plays from it. */
export function markList(marks, play) {
  return el('ul.marks', { id: 'timeline-marks', 'aria-label': t('playback.marks') },
    marks.map(mark => el('li', { dataset: { kind: mark.kind, at: mark.at.toISOString() } },
      el('button.link', { type: 'button', onclick: () => play(mark.at) },
        `${mark.kind === 'event' ? '●' : '⚑'} ${formatTime(mark.at, { seconds: true })} ${mark.label}${mark.by ? ` (${mark.by})` : ''}`))));
}

/** Note and button; the bookmark is placed at `when()` (the playback position) and `added()` reloads the marks. */
export function bookmarkForm(cameraId, when, added) {
  const note = el('input', { id: 'bookmark-note', type: 'text', maxLength: 2000, placeholder: t('playback.bookmarkNote'), 'aria-label': t('playback.bookmarkNote') });
  const message = el('span');
  const form = el('form.toolbar', { id: 'bookmark-form' }, note, el('button', { type: 'submit' }, t('playback.addBookmark')), message);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    message.replaceChildren();
    if (!note.value.trim()) { note.focus(); return; }
    try {
      const at = when();
      await api(`/api/cameras/${encodeURIComponent(cameraId)}/bookmarks`, { method: 'POST', body: { at: at.toISOString(), note: note.value.trim() } });
      note.value = '';
      message.replaceChildren(el('span.muted', {}, t('playback.bookmarkAdded', { time: formatTime(at, { seconds: true }) })));
      await added();
    } catch (error) {
      message.replaceChildren(problemBox(error));
    }
  });
  return form;
}
