// The administrators' status page: this node, open camera upstreams by owner and state, recording health, open
// sessions by kind, the last retention sweep, the audit chain and the last warnings and errors. Refreshes itself.
import { api, el, formatBytes, formatNumber, formatTime, problemBox, t } from '../core.js';

const RefreshMs = 10000;

export async function render(view) {
  const body = el('div', { id: 'status' });
  const chain = el('div', { id: 'status-audit' }, t('audit.verifying'));
  view.append(el('h1', {}, t('status.title')), body, el('section.panel', {}, el('h2', {}, t('status.audit')), chain));

  const table = (columns, rows, id) => el('table', { id }, el('thead', {}, el('tr', {}, columns.map(c => el('th', {}, t(c))))),
    el('tbody', {}, rows.length ? rows : [el('tr', {}, el('td.muted', { colSpan: columns.length }, t('status.none')))]));

  async function load() {
    let s;
    try {
      s = await api('/api/operations/status');
    } catch (error) {
      body.replaceChildren(problemBox(error));
      return;
    }
    body.replaceChildren(
      el('section.panel', {}, el('h2', {}, t('status.nodes')), table(['status.node', 'status.version', 'status.started'],
        s.nodes.map(n => el('tr', {}, el('td', {}, n.name), el('td', {}, n.version), el('td', {}, formatTime(n.startedAt)))), 'status-nodes')),
      el('section.panel', {}, el('h2', {}, t('status.cameras')), table(['status.owner', 'status.online', 'status.connecting', 'status.offline'],
        s.camerasByOwner.map(o => el('tr', {}, el('td', {}, o.owner), el('td.num', {}, formatNumber(o.online)),
          el('td.num', {}, formatNumber(o.connecting)), el('td.num', { dataset: { offline: String(o.offline) } }, formatNumber(o.offline)))), 'status-owners'),
        table(['status.camera', 'status.state', 'status.reason', 'status.since'],
          s.camerasNotOnline.map(c => el('tr', {}, el('td', {}, el('a', { href: `#/cameras/${encodeURIComponent(c.camera)}` }, c.camera)),
            el('td', {}, c.state), el('td', {}, c.reason || ''), el('td', {}, c.since ? formatTime(c.since) : ''))), 'status-problems')),
      el('section.panel', {}, el('h2', {}, t('status.recording')),
        el(s.recordingDegraded ? 'div.problem' : 'div.notice', { id: 'status-recording', dataset: { degraded: String(s.recordingDegraded) } }, s.recordingSummary)),
      el('section.panel', {}, el('h2', {}, t('status.sessions')), table(['status.kind', 'status.open'],
        Object.entries(s.sessions).map(([kind, count]) => el('tr', {}, el('td', {}, t(`status.kind.${kind}`)), el('td.num', {}, formatNumber(count)))), 'status-sessions')),
      el('section.panel', {}, el('h2', {}, t('status.sweep')), el('p', { id: 'status-sweep' }, s.lastSweep
        ? t('status.sweepDone', { at: formatTime(s.lastSweep.at), deleted: formatNumber(s.lastSweep.deleted), bytes: formatBytes(s.lastSweep.bytesDeleted), kept: formatNumber(s.lastSweep.keptForHolds) })
        : t('status.sweepNever'))),
      el('section.panel', {}, el('h2', {}, t('status.errors')), table(['status.at', 'status.level', 'status.category', 'status.message'],
        s.recentProblems.map(p => el('tr', {}, el('td', {}, formatTime(p.at, { seconds: true })), el('td', {}, p.level), el('td', {}, p.category), el('td', {}, p.message))), 'status-errors')));
  }

  api('/api/audit/verify').then(v => chain.replaceChildren(v.valid
    ? el('div.notice', { dataset: { valid: 'true' } }, t('audit.chainValid', { entries: v.entries }))
    : el('div.problem', { dataset: { valid: 'false' } }, t('audit.chainBroken', { sequence: v.firstBrokenSequence }), el('div', {}, v.problem || ''))))
    .catch(e => chain.replaceChildren(problemBox(e)));
  await load();
  const timer = setInterval(load, RefreshMs);
  return () => clearInterval(timer);
}
