// Evidence: the police liaison's request form, the owners' approval queue (four eyes), progress while the package is
// produced, the download for the requester, and a verification summary of the signed package.
import { api, camerasWith, el, events, formatBytes, formatTime, holds, isoToLocal, localToIso, me, problemBox, routeQuery, t } from '../core.js';

const statusClass = { Requested: 'warn', Approved: 'warn', Producing: 'warn', Ready: 'ok', Rejected: 'bad', Failed: 'bad', Expired: '' };

export async function render(view) {
  const list = el('div', { id: 'evidence-list' });
  const refresh = () => load(list).catch(e => list.replaceChildren(problemBox(e)));
  view.append(el('h1', {}, t('evidence.title')));
  if (holds('Export')) view.append(await requestForm(refresh));
  view.append(el('h2', {}, t('evidence.requests')), list);

  // Progress arrives over SignalR; a slow poll covers a dropped connection.
  const off = events().on('evidenceProgress', () => refresh());
  const poll = setInterval(refresh, 5000);
  await refresh();
  return () => { off(); clearInterval(poll); };
}

async function requestForm(onCreated) {
  const preselected = routeQuery().get('camera');
  const exportable = await camerasWith('Export');
  const now = new Date();
  const result = el('div');
  // Hundreds of cameras may be exportable: narrow the list by typing; chosen cameras stay visible.
  const cameraList = el('select', { name: 'cameraIds', multiple: true, size: Math.min(8, Math.max(3, exportable.length)) },
    exportable.map(c => el('option', { value: c.id, selected: c.id === preselected }, `${c.id} – ${c.name}`)));
  const cameraFilter = el('input', { type: 'search', placeholder: t('evidence.filterCameras'), 'aria-label': t('evidence.filterCameras') });
  cameraFilter.addEventListener('input', () => {
    const text = cameraFilter.value.toLowerCase();
    for (const option of cameraList.options) option.hidden = !option.selected && !!text && !option.textContent.toLowerCase().includes(text);
  });
  const form = el('form.grid.panel', { id: 'evidence-form', novalidate: true },
    el('label', {}, t('evidence.caseNumber'), el('input', { name: 'caseNumber', placeholder: '5000-K123456-26', required: true })),
    el('label', {}, t('evidence.from'), el('input', { name: 'from', type: 'datetime-local', step: '1', value: isoToLocal(routeQuery().get('from') ? new Date(routeQuery().get('from')) : new Date(now - 15 * 60000)) })),
    el('label', {}, t('evidence.to'), el('input', { name: 'to', type: 'datetime-local', step: '1', value: isoToLocal(routeQuery().get('to') ? new Date(routeQuery().get('to')) : new Date(now - 5 * 60000)) })),
    el('label.wide', {}, t('evidence.cameras'), cameraFilter, cameraList),
    el('label.wide', {}, t('evidence.reason'), el('textarea', { name: 'reason', rows: 2 })),
    el('div.wide', {}, el('button', { type: 'submit' }, t('evidence.submit')), ' ', el('span.muted', {}, t('evidence.fourEyes'))),
    el('div.wide', {}, result));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    result.replaceChildren();
    const f = form.elements;
    try {
      const created = await api('/api/evidence', {
        method: 'POST',
        body: {
          caseNumber: f.caseNumber.value.trim(), cameraIds: [...f.cameraIds.selectedOptions].map(o => o.value),
          from: localToIso(f.from.value), to: localToIso(f.to.value), reason: f.reason.value.trim(),
        },
      });
      result.append(el('div.notice', { role: 'status' }, t('evidence.created', { caseNumber: created.caseNumber })));
      await onCreated();
    } catch (error) {
      result.append(problemBox(error));
    }
  });
  return el('section', {}, el('h2', {}, t('evidence.new')), form);
}

async function load(list) {
  const requests = await api('/api/evidence');
  const user = me().userName;
  if (!requests.length) { list.replaceChildren(el('p.muted', {}, t('evidence.none'))); return; }
  const rows = requests.map(r => {
    const actions = el('td');
    if (r.status === 'Requested' && r.requestedBy !== user && holds('ApproveExport')) {
      actions.append(
        el('button', { type: 'button', dataset: { action: 'approve' }, onclick: () => decide(r, 'approve', list) }, t('evidence.approve')), ' ',
        el('button.danger', { type: 'button', dataset: { action: 'reject' }, onclick: () => decide(r, 'reject', list) }, t('evidence.reject')));
    }
    if (r.status === 'Ready' && r.requestedBy === user) {
      actions.append(el('a.button', { href: `/api/evidence/${r.id}/package`, download: `evidence-${r.caseNumber}.zip`, dataset: { action: 'download' } }, t('evidence.download')), ' ');
    }
    if (r.status === 'Ready') {
      actions.append(el('button.secondary', { type: 'button', dataset: { action: 'verify' }, onclick: ev => verify(r, ev.target.closest('tr')) }, t('evidence.verify')));
    }
    const progress = ['Approved', 'Producing'].includes(r.status)
      ? el('div', {}, el('progress', { max: 100, value: r.progress }), ` ${r.progress} %`, r.stage ? el('div.muted', {}, r.stage) : null)
      : null;
    return el('tr', { dataset: { evidence: r.id, status: r.status } },
      el('td', {}, el('strong', {}, r.caseNumber), el('div.muted', {}, r.reason)),
      el('td', {}, r.cameraIds.join(', ')),
      el('td', {}, `${formatTime(r.from, { seconds: true })} – ${formatTime(r.to, { seconds: true })}`),
      el('td', {}, r.requestedBy, r.decidedBy ? el('div.muted', {}, t('evidence.decidedBy', { user: r.decidedBy })) : null),
      el('td', {}, el(`span.badge.${statusClass[r.status] || ''}`, { dataset: { role: 'status' } }, t(`evidence.status.${r.status}`)), progress,
        r.error ? el('div.error', {}, r.error) : null, r.rejectionReason ? el('div.muted', {}, r.rejectionReason) : null,
        r.status === 'Ready' ? el('div.muted', {}, `${formatBytes(r.packageBytes)} · SHA-256 ${r.packageSha256?.slice(0, 16)}…`) : null),
      actions);
  });
  list.replaceChildren(el('table', { id: 'evidence-table' },
    el('thead', {}, el('tr', {}, ['case', 'cameras', 'window', 'requester', 'status', 'actions'].map(c => el('th', {}, t(`evidence.col.${c}`))))),
    el('tbody', {}, rows)));
}

async function decide(request, action, list) {
  const body = action === 'reject' ? { reason: prompt(t('evidence.rejectReason')) || '' } : undefined;
  try {
    await api(`/api/evidence/${request.id}/${action}`, { method: 'POST', body });
    await load(list);
  } catch (error) {
    list.prepend(problemBox(error));
  }
}

/** Shows what a recipient's check would find: signature, key fingerprint, every file's hash. */
async function verify(request, row) {
  const cell = el('td', { colspan: 6 });
  row.after(el('tr.verification', { dataset: { verification: request.id } }, cell));
  try {
    const [result, key] = await Promise.all([api(`/api/evidence/${request.id}/verification`), api('/api/evidence/signing-key')]);
    cell.append(el(result.intact ? 'div.notice' : 'div.problem', { role: 'status' },
      el('strong', {}, result.intact ? t('evidence.intact', { files: result.filesChecked }) : t('evidence.broken')),
      el('div', {}, t('evidence.fingerprint', { fingerprint: result.signingKeyFingerprint || '–' }),
        result.signingKeyFingerprint === key.fingerprint ? ` (${t('evidence.thisHub')})` : ''),
      result.problems.length ? el('ul', {}, result.problems.map(p => el('li', {}, p))) : null,
      el('div.muted', {}, t('evidence.verifyOffline'))));
  } catch (error) {
    cell.append(problemBox(error));
  }
}
