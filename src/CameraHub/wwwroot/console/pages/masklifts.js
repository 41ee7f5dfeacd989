// Mask lifts (DESIGN.md 4.6): the request form for a user holding Unmask on a liftable camera, the approvers' queue
// (four eyes: never one's own request), and one's own lifts with their countdown. The API decides every step; the page
// only offers what the user may try and shows the API's answer.
import { api, camerasWith, el, formatTime, holds, isoToLocal, localToIso, me, problemBox, routeQuery, t } from '../core.js';

const stateClass = { Requested: 'warn', Approved: 'bad', Expired: '', Lapsed: '', Ended: '' };

export async function render(view) {
  const queue = el('div', { id: 'lift-queue' });
  const mine = el('div', { id: 'lift-mine' });
  const refresh = () => load(queue, mine).catch(e => queue.replaceChildren(problemBox(e)));
  view.append(el('h1', {}, t('lifts.title')), el('p.muted', {}, t('lifts.intro')));
  if (holds('Unmask')) view.append(await requestForm(refresh));
  view.append(el('h2', {}, t('lifts.queue')), queue, el('h2', {}, t('lifts.mine')), mine);
  // Approvals happen in someone else's browser: a slow poll shows them here.
  const poll = setInterval(refresh, 5000);
  await refresh();
  return () => clearInterval(poll);
}

async function requestForm(onCreated) {
  const query = routeQuery();
  const preselected = query.get('camera');
  const liftable = (await camerasWith('Unmask')).filter(c => c.masking?.kind !== 'None');
  const result = el('div');
  const from = query.get('from'), to = query.get('to');
  const form = el('form.grid.panel', { id: 'lift-form', novalidate: true },
    el('label', {}, t('lifts.camera'), el('select', { name: 'camera' },
      liftable.map(c => el('option', { value: c.id, selected: c.id === preselected },
        `${c.id} – ${c.name}${c.masking?.liftable ? '' : ` (${t('lifts.permanent')})`}`)))),
    el('label', {}, t('lifts.minutes'), el('input', { name: 'minutes', type: 'number', min: 1, max: 15, value: 15 })),
    el('label', { style: 'display:flex;gap:.5rem;align-items:center' }, el('input', { name: 'live', type: 'checkbox', checked: !from, style: 'width:auto' }), t('lifts.live')),
    el('label', {}, t('lifts.from'), el('input', { name: 'from', type: 'datetime-local', step: '1', value: from ? isoToLocal(new Date(from)) : '' })),
    el('label', {}, t('lifts.to'), el('input', { name: 'to', type: 'datetime-local', step: '1', value: to ? isoToLocal(new Date(to)) : '' })),
    el('label.wide', {}, t('lifts.reason'), el('textarea', { name: 'reason', rows: 2, placeholder: t('lifts.reasonHint') })),
    el('div.wide', {}, el('button', { type: 'submit' }, t('lifts.submit')), ' ', el('span.muted', {}, t('lifts.fourEyes'))),
    el('div.wide', {}, result));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    result.replaceChildren();
    const f = form.elements;
    try {
      const created = await api(`/api/cameras/${encodeURIComponent(f.camera.value)}/mask-lifts`, {
        method: 'POST',
        body: {
          reason: f.reason.value.trim(), live: f.live.checked, minutes: Number(f.minutes.value) || null,
          playbackFrom: localToIso(f.from.value), playbackTo: localToIso(f.to.value),
        },
      });
      result.append(el('div.notice', { role: 'status' }, t('lifts.created', { camera: created.cameraId })));
      await onCreated();
    } catch (error) {
      result.append(problemBox(error));
    }
  });
  return el('section', {}, el('h2', {}, t('lifts.new')), form);
}

/** What a lift covers: the live picture and/or a window of recordings. */
function scope(lift) {
  return [lift.live ? t('lifts.scopeLive') : null,
    lift.playbackFrom ? t('lifts.scopeRecorded', { from: formatTime(lift.playbackFrom, { seconds: true }), to: formatTime(lift.playbackTo, { seconds: true }) }) : null]
    .filter(Boolean).join(' · ');
}

async function load(queue, mine) {
  const lifts = await api('/api/mask-lifts');
  const user = me().userName.toLowerCase();
  const own = l => l.requestedBy.toLowerCase() === user;
  // The API lists a pending request only to those who may approve it (and to administrators and the DPO, who see all).
  const pending = lifts.filter(l => l.state === 'Requested' && !own(l));
  queue.replaceChildren(pending.length ? table(pending, l => el('td', {},
    el('input', { type: 'text', placeholder: t('lifts.refuseReason'), 'aria-label': t('lifts.refuseReason'), dataset: { field: 'refuse-reason' } }), ' ',
    el('button', { type: 'button', dataset: { action: 'approve' }, onclick: () => decide(l, 'approve', queue) }, t('lifts.approve')), ' ',
    el('button.danger', { type: 'button', dataset: { action: 'refuse' }, onclick: ev => decide(l, 'refuse', queue, ev.target.closest('td')) }, t('lifts.refuse'))))
    : el('p.muted', {}, t('lifts.noneWaiting')));
  const others = lifts.filter(l => own(l) || l.state !== 'Requested');
  mine.replaceChildren(others.length ? table(others, l => el('td', {},
    ['Requested', 'Approved'].includes(l.state) && own(l)
      ? el('button.secondary', { type: 'button', dataset: { action: 'end' }, onclick: () => decide(l, 'end', queue) }, t(l.state === 'Requested' ? 'lifts.withdraw' : 'lifts.end'))
      : null,
    own(l) && l.state === 'Requested' ? el('div.muted', {}, t('lifts.waitingForOther')) : null))
    : el('p.muted', {}, t('lifts.none')));
}

function table(lifts, actions) {
  return el('table', {},
    el('thead', {}, el('tr', {}, ['requester', 'camera', 'reason', 'scope', 'state', 'actions'].map(c => el('th', {}, t(`lifts.col.${c}`))))),
    el('tbody', {}, lifts.map(l => el('tr', { dataset: { lift: l.id, state: l.state } },
      el('td', {}, l.requestedBy, el('div.muted', {}, formatTime(l.requestedAt))),
      el('td', {}, el('a', { href: `#/cameras/${encodeURIComponent(l.cameraId)}` }, l.cameraId)),
      el('td', {}, l.reason),
      el('td', {}, scope(l), el('div.muted', {}, t('lifts.forMinutes', { minutes: l.durationMinutes }))),
      el('td', {}, el(`span.badge.${stateClass[l.state] || ''}`, { dataset: { role: 'state' } }, t(`lifts.state.${l.state}`)),
        l.approvedBy ? el('div.muted', {}, t('lifts.approvedBy', { user: l.approvedBy })) : null,
        l.state === 'Approved' ? el('div.muted', {}, t('lifts.until', { time: formatTime(l.expiresAt, { seconds: true }) })) : null,
        l.endReason ? el('div.muted', {}, `${l.endedBy}: ${l.endReason}`) : null),
      actions(l)))));
}

async function decide(lift, action, queue, cell) {
  try {
    if (action === 'approve') {
      await api(`/api/mask-lifts/${lift.id}/approve`, { method: 'POST' });
    } else {
      const reason = action === 'refuse' ? cell?.querySelector('[data-field=refuse-reason]')?.value.trim() || t('lifts.refused') : '';
      await api(`/api/mask-lifts/${lift.id}${reason ? `?reason=${encodeURIComponent(reason)}` : ''}`, { method: 'DELETE' });
    }
    await load(queue, document.getElementById('lift-mine'));
  } catch (error) {
    queue.prepend(problemBox(error));
  }
}
