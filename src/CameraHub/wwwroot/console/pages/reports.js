// Reports: the inventory and the live-versus-stored cost analysis as tables and charts, each downloadable as CSV.
import { api, el, formatNumber, formatTime, t } from '../core.js';

export async function render(view) {
  const [inventory, costs] = await Promise.all([api('/api/reports/inventory'), api('/api/reports/costs')]);
  const charts = [];
  const chart = (canvas, config) => {
    if (window.Chart) charts.push(new window.Chart(canvas, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } }));
  };

  const breakdown = (title, rows, label) => el('section.panel', {}, el('h2', {}, t(title)),
    el('table', {}, el('tbody', {}, rows.map(r => el('tr', {}, el('td', {}, label(r.key)), el('td.num', {}, formatNumber(r.cameras)))))));
  const categoryCanvas = el('canvas', { id: 'chart-categories', 'aria-label': t('reports.byCategory') });
  const inventoryPanel = el('section', { id: 'inventory' },
    el('h2', {}, t('reports.inventory'), ' ', el('a.button.secondary', { href: '/api/reports/inventory?format=csv', download: 'inventory.csv' }, t('reports.csv'))),
    el('p.muted', {}, t('reports.inventorySummary', { total: formatNumber(inventory.total), active: formatNumber(inventory.active), at: formatTime(inventory.generatedAt) })),
    el('div.panel', {}, el('div.chart', {}, categoryCanvas)),
    el('div.columns', {},
      breakdown('reports.byOwner', inventory.byOwner, k => k),
      breakdown('reports.byCategory', inventory.byCategory, k => t(`category.${k}`)),
      breakdown('reports.byMode', inventory.byMode, k => t(`mode.${k}`)),
      breakdown('reports.byLegalBasis', inventory.byLegalBasis, k => t(`legal.${k}`))));

  // Costs per owner: what live monitoring costs against what storing and following up recordings costs.
  const byOwner = new Map();
  for (const row of costs.rows) {
    const o = byOwner.get(row.ownerId) || { name: row.ownerName, cameras: 0, live: 0, stored: 0, total: 0, terabytes: 0 };
    o.cameras += row.cameras; o.live += row.liveCostPerYear; o.stored += row.storedCostPerYear; o.total += row.totalPerYear; o.terabytes += row.storedTerabytes;
    byOwner.set(row.ownerId, o);
  }
  const owners = [...byOwner.values()].sort((a, b) => b.total - a.total);
  const costCanvas = el('canvas', { id: 'chart-costs', 'aria-label': t('reports.costs') });
  const kr = v => `${formatNumber(v)} kr`;
  const costPanel = el('section', { id: 'costs' },
    el('h2', {}, t('reports.costs'), ' ', el('a.button.secondary', { href: '/api/reports/costs?format=csv', download: 'costs.csv' }, t('reports.csv'))),
    el('p.muted', {}, t('reports.costsAssumptions', {
      storage: formatNumber(costs.assumptions.storageSekPerTerabyteYear), staff: formatNumber(costs.assumptions.staffSekPerHour),
    })),
    el('div.panel', {}, el('div.chart', {}, costCanvas)),
    el('table', { id: 'cost-table' },
      el('thead', {}, el('tr', {}, ['owner', 'cameras', 'live', 'stored', 'terabytes', 'total'].map(c => el(c === 'owner' ? 'th' : 'th.num', {}, t(`reports.col.${c}`))))),
      el('tbody', {}, owners.map(o => el('tr', {}, el('td', {}, o.name), el('td.num', {}, formatNumber(o.cameras)), el('td.num', {}, kr(o.live)),
        el('td.num', {}, kr(o.stored)), el('td.num', {}, formatNumber(o.terabytes, 1)), el('td.num', {}, kr(o.total))))),
      el('tfoot', {}, el('tr', {}, el('th', {}, t('reports.total')), el('th.num', {}, formatNumber(owners.reduce((s, o) => s + o.cameras, 0))),
        el('th.num', {}, kr(owners.reduce((s, o) => s + o.live, 0))), el('th.num', {}, kr(owners.reduce((s, o) => s + o.stored, 0))),
        el('th.num', {}, formatNumber(owners.reduce((s, o) => s + o.terabytes, 0), 1)), el('th.num', {}, kr(owners.reduce((s, o) => s + o.total, 0)))))));

  view.append(el('h1', {}, t('reports.title')), inventoryPanel, costPanel,
    el('p', {}, el('a', { href: '/api/reports/register?format=csv', download: 'register.csv' }, t('reports.registerCsv'))));

  chart(categoryCanvas, {
    type: 'bar',
    data: { labels: inventory.byCategory.map(r => t(`category.${r.key}`)), datasets: [{ label: t('reports.col.cameras'), data: inventory.byCategory.map(r => r.cameras), backgroundColor: '#005a9c' }] },
    options: { plugins: { legend: { display: false } } },
  });
  chart(costCanvas, {
    type: 'bar',
    data: {
      labels: owners.map(o => o.name),
      datasets: [
        { label: t('reports.col.live'), data: owners.map(o => Math.round(o.live)), backgroundColor: '#d9822b' },
        { label: t('reports.col.stored'), data: owners.map(o => Math.round(o.stored)), backgroundColor: '#005a9c' },
      ],
    },
    options: { indexAxis: 'y', scales: { x: { stacked: true, title: { display: true, text: t('reports.perYear') } }, y: { stacked: true } } },
  });
  return () => charts.forEach(c => c.destroy());
}
