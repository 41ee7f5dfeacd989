// The registry: searchable, filterable camera list, and CSV import with every bad row shown.
import { api, el, hasRole, problemBox, replaceQuery, routeQuery, showPages, t } from '../core.js';

export const categories = ['School', 'Preschool', 'Traffic', 'TechnicalFacility', 'HousingGarage', 'PublicSquare', 'CareHome', 'PoliceExternal', 'Other'];
export const modes = ['LiveOnly', 'RecordedOnly', 'LiveAndRecorded'];
export const statuses = ['Planned', 'Active', 'Decommissioned'];

export const statusBadge = status =>
  el(`span.badge.${status === 'Active' ? 'ok' : status === 'Decommissioned' ? 'bad' : 'warn'}`, {}, t(`status.${status}`));

export async function render(view) {
  const query = routeQuery();
  const organisations = await api('/api/organisations');
  const ownerName = new Map(organisations.map(o => [o.id, o.name]));
  const select = (name, values, label) => el('label', {}, t(`cameras.filter.${name}`),
    el('select', { name, 'aria-label': t(`cameras.filter.${name}`) },
      el('option', { value: '' }, t('common.all')),
      values.map(v => el('option', { value: v.value ?? v, selected: query.get(name) === (v.value ?? v) }, v.label ?? label(v)))));
  const filters = el('form.toolbar', { id: 'camera-filters' },
    el('label', {}, t('cameras.filter.q'), el('input', { name: 'q', type: 'search', value: query.get('q') || '', placeholder: t('cameras.filter.qHint') })),
    select('owner', organisations.map(o => ({ value: o.id, label: o.name }))),
    select('category', categories, v => t(`category.${v}`)),
    select('mode', modes, v => t(`mode.${v}`)),
    select('status', statuses, v => t(`status.${v}`)),
    el('label', {}, t('cameras.filter.permitExpiring'),
      el('select', { name: 'permitExpiringWithinDays' }, el('option', { value: '' }, t('common.all')),
        [30, 90, 180, 365].map(d => el('option', { value: String(d), selected: query.get('permitExpiringWithinDays') === String(d) }, t('cameras.filter.withinDays', { days: d }))))),
    el('button', { type: 'submit' }, t('common.search')));

  const table = el('table', { id: 'camera-table' });
  const pager = el('div.pager');
  const summary = el('span.muted');
  let page = Number(query.get('page') || 1);

  async function load() {
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(filters)) if (v) params.set(k, v);
    if (page > 1) params.set('page', String(page));
    replaceQuery(params);
    params.set('pageSize', '50');
    const result = await api(`/api/cameras?${params}`);
    summary.textContent = t('cameras.count', { total: result.total });
    table.replaceChildren(
      el('thead', {}, el('tr', {}, ['id', 'name', 'owner', 'category', 'mode', 'status', 'legal', 'retention'].map(c => el('th', {}, t(`cameras.col.${c}`))))),
      el('tbody', {}, result.items.map(c => el('tr.clickable', { onclick: () => { location.hash = `#/cameras/${encodeURIComponent(c.id)}`; }, dataset: { camera: c.id } },
        el('td', {}, el('a', { href: `#/cameras/${encodeURIComponent(c.id)}` }, c.id)),
        el('td', {}, c.name),
        el('td', {}, ownerName.get(c.ownerId) || c.ownerId),
        el('td', {}, t(`category.${c.category}`)),
        el('td', {}, t(`mode.${c.mode}`)),
        el('td', {}, statusBadge(c.status)),
        el('td', {}, c.legalBasisValid ? t(`legal.${c.legalBasis.kind}`) : el('span.badge.bad', {}, t('legal.invalid')),
          c.legalBasis.permitValidUntil ? el('div.muted', {}, t('camera.permitUntil', { date: c.legalBasis.permitValidUntil })) : null),
        el('td.num', {}, c.retentionDays ? t('camera.days', { days: c.retentionDays }) : '–')))));
    showPages(pager, result, page, to => { page = to; load(); });
  }

  filters.addEventListener('submit', ev => { ev.preventDefault(); page = 1; load().catch(e => view.append(problemBox(e))); });
  filters.addEventListener('change', () => { page = 1; load().catch(e => view.append(problemBox(e))); });

  view.append(el('h1', {}, t('cameras.title')), el('div.panel', {}, filters, summary), table, pager);
  if (hasRole('Administrator', 'CameraOwner')) view.append(importPanel(load));
  await load();
}

/** CSV import: every row or none; the API names each bad row by line and field, shown here as a table. */
function importPanel(reload) {
  const result = el('div', { id: 'import-result' });
  const input = el('input', { type: 'file', accept: '.csv,text/csv', name: 'file', 'aria-label': t('import.file') });
  const form = el('form.toolbar', { id: 'import-form' }, el('label', {}, t('import.file'), input), el('button', { type: 'submit' }, t('import.submit')));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    result.replaceChildren();
    const file = input.files[0];
    if (!file) return;
    try {
      const summary = await api('/api/cameras/import', { method: 'POST', body: file, contentType: 'text/csv' });
      result.append(el('div.notice', {}, t('import.done', { count: summary.imported })));
      await reload();
    } catch (error) {
      const rows = error.problem?.rowErrors || [];
      result.append(el('div.problem', { role: 'alert' }, el('strong', {}, error.problem?.title || error.message)),
        rows.length ? el('table.row-errors', {},
          el('thead', {}, el('tr', {}, el('th.num', {}, t('import.line')), el('th', {}, t('import.field')), el('th', {}, t('import.message')))),
          el('tbody', {}, rows.map(r => el('tr', {}, el('td.num', {}, r.line), el('td', {}, r.field), el('td', {}, r.message))))) : problemBox(error));
    }
  });
  return el('section.panel', {}, el('h2', {}, t('import.title')), el('p.muted', {}, t('import.intro')), form, result);
}

