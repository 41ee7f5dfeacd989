// The audit log for the data-protection officer: filter, page, verify the hash chain, export CSV, and answer a
// data subject's question "who looked at footage of me?" for a camera or site and a time window.
import { api, el, formatTime, isoToLocal, localToIso, problemBox, replaceQuery, routeQuery, showPages, t } from '../core.js';

const actions = ['LoginSucceeded', 'LoginFailed', 'UserLockedOut', 'UserCreated', 'UserDisabled', 'UserChanged', 'GrantCreated', 'GrantRevoked',
  'CameraCreated', 'CameraUpdated', 'CameraImported', 'CameraDecommissioned', 'CameraProbed', 'OrganisationCreated', 'SiteCreated',
  'LiveViewStarted', 'LiveViewEnded', 'LiveViewRevoked', 'PlaybackStarted', 'PlaybackEnded', 'RecordingsListed',
  'EvidenceRequested', 'EvidenceApproved', 'EvidenceRejected', 'EvidenceProduced', 'EvidenceDownloaded', 'EvidenceExpired', 'EvidenceFailed',
  'RecordingsDeleted', 'LegalHoldCreated', 'LegalHoldReleased', 'RecordingPaused', 'RecordingResumed', 'PartnerSessionStarted', 'PartnerSessionEnded',
  'PartnerCredentialsIssued', 'SharingAgreementChanged', 'AccessDenied', 'AuditQueried', 'AuditExported', 'MaskViewed'];

export async function render(view) {
  const query = routeQuery();
  const chain = el('div', { id: 'audit-chain' }, t('audit.verifying'));
  const filters = el('form.toolbar', { id: 'audit-filters' },
    el('label', {}, t('audit.actor'), el('input', { name: 'actor', value: query.get('actor') || '' })),
    el('label', {}, t('audit.camera'), el('input', { name: 'camera', value: query.get('camera') || '' })),
    el('label', {}, t('audit.action'), el('select', { name: 'action' }, el('option', { value: '' }, t('common.all')),
      actions.map(a => el('option', { value: a, selected: query.get('action') === a }, a)))),
    el('label', {}, t('audit.from'), el('input', { name: 'from', type: 'datetime-local', step: '1', value: query.get('from') ? isoToLocal(query.get('from')) : '' })),
    el('label', {}, t('audit.to'), el('input', { name: 'to', type: 'datetime-local', step: '1', value: query.get('to') ? isoToLocal(query.get('to')) : '' })),
    el('button', { type: 'submit' }, t('common.search')));
  const csv = el('a.button.secondary', { id: 'audit-csv', download: 'audit.csv' }, t('audit.csv'));
  const table = el('div', { id: 'audit-table' });
  const pager = el('div.pager');
  let page = 1;

  function params() {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(filters)) if (v) p.set(k, k === 'from' || k === 'to' ? localToIso(v) : v);
    return p;
  }

  async function load() {
    const p = params();
    replaceQuery(p);
    const csvParams = new URLSearchParams(p);
    csvParams.set('format', 'csv');
    csv.href = `/api/audit?${csvParams}`;
    p.set('page', String(page));
    p.set('pageSize', '50');
    const result = await api(`/api/audit?${p}`);
    table.replaceChildren(entriesTable(result.items), el('p.muted', {}, t('audit.count', { total: result.total })));
    showPages(pager, result, page, to => { page = to; load(); });
  }

  filters.addEventListener('submit', ev => { ev.preventDefault(); page = 1; load().catch(e => table.replaceChildren(problemBox(e))); });
  view.append(el('h1', {}, t('audit.title')), el('div.panel', {}, chain), el('div.panel', {}, filters, csv), table, pager, dataSubjectPanel());

  api('/api/audit/verify').then(v => {
    chain.replaceChildren(v.valid
      ? el('div.notice', { dataset: { valid: 'true' } }, t('audit.chainValid', { entries: v.entries }), el('div.muted', {}, `${t('audit.head')} ${v.headHash}`))
      : el('div.problem', { dataset: { valid: 'false' } }, t('audit.chainBroken', { sequence: v.firstBrokenSequence }), el('div', {}, v.problem || '')));
  }).catch(e => chain.replaceChildren(problemBox(e)));
  await load();
}

function entriesTable(items) {
  return el('table', {},
    el('thead', {}, el('tr', {}, ['sequence', 'at', 'actor', 'action', 'outcome', 'camera', 'details'].map(c => el(c === 'sequence' ? 'th.num' : 'th', {}, t(`audit.col.${c}`))))),
    el('tbody', {}, items.map(e => el('tr', { dataset: { action: e.action, actor: e.actor } },
      el('td.num', {}, e.sequence), el('td', {}, formatTime(e.at, { seconds: true })), el('td', {}, e.actor),
      el('td', {}, e.action), el('td', {}, el(`span.badge.${e.outcome === 'Allowed' ? 'ok' : 'bad'}`, {}, t(`audit.outcome.${e.outcome}`))),
      el('td', {}, e.cameraId || ''), el('td', {}, [e.purpose, e.details].filter(Boolean).join(' · '), e.remoteAddress ? el('div.muted', {}, e.remoteAddress) : null)))));
}

function dataSubjectPanel() {
  const result = el('div', { id: 'data-subject-result' });
  const now = new Date();
  const form = el('form.toolbar', { id: 'data-subject' },
    el('label', {}, t('audit.camera'), el('input', { name: 'camera' })),
    el('label', {}, t('audit.site'), el('input', { name: 'site' })),
    el('label', {}, t('audit.from'), el('input', { name: 'from', type: 'datetime-local', step: '1', value: isoToLocal(new Date(now - 7 * 24 * 3600 * 1000)) })),
    el('label', {}, t('audit.to'), el('input', { name: 'to', type: 'datetime-local', step: '1', placeholder: t('audit.now') })),
    el('button', { type: 'submit' }, t('audit.dataSubjectRun')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const f = form.elements;
    // An empty "to" means up to now (the moment the report is asked for, not when the page was opened).
    const p = new URLSearchParams({ from: localToIso(f.from.value), to: f.to.value ? localToIso(f.to.value) : new Date().toISOString() });
    if (f.camera.value.trim()) p.set('camera', f.camera.value.trim());
    if (f.site.value.trim()) p.set('site', f.site.value.trim());
    try {
      const report = await api(`/api/audit/data-subject?${p}`);
      result.replaceChildren(el('p', {}, t('audit.dataSubjectSummary', { accesses: report.accesses.length, cameras: report.cameraIds.length })),
        report.accesses.length ? entriesTable(report.accesses) : null);
    } catch (error) {
      result.replaceChildren(problemBox(error));
    }
  });
  return el('section.panel', {}, el('h2', {}, t('audit.dataSubject')), el('p.muted', {}, t('audit.dataSubjectIntro')), form, result);
}
