// Grants: who may do what with which cameras. Administrators grant anywhere; owners on their own organisation's
// cameras (the API refuses the rest). Revoking ends open streams the grant allowed within seconds.
import { api, el, formatTime, hasRole, isoToLocal, localToIso, me, problemBox, t } from '../core.js';
import { categories } from './cameras.js';

const rights = ['Live', 'Playback', 'Export', 'ApproveExport', 'Audit', 'Manage'];
const roles = ['TrafficOperator', 'CareOperator', 'PoliceLiaison', 'CameraOwner', 'DataProtectionOfficer', 'Administrator'];

export async function render(view) {
  const organisations = await api('/api/organisations');
  const users = hasRole('Administrator') ? await api('/api/users').catch(() => []) : [];
  const list = el('div', { id: 'grant-list' });
  view.append(el('h1', {}, t('grants.title')), el('p.muted', {}, t('grants.intro')), grantForm(organisations, users, () => load(list)),
    el('h2', {}, t('grants.current')), list);
  await load(list);
}

function grantForm(organisations, users, reload) {
  const result = el('div');
  const subject = el('input', { name: 'subject', list: 'grant-subjects', required: true });
  const subjects = el('datalist', { id: 'grant-subjects' });
  const subjectKind = el('select', { name: 'subjectKind' }, ['User', 'Role'].map(k => el('option', { value: k }, t(`grants.subjectKind.${k}`))));
  const scope = el('input', { name: 'scope', list: 'grant-scopes' });
  const scopes = el('datalist', { id: 'grant-scopes' });
  const scopeKind = el('select', { name: 'scopeKind' }, ['Camera', 'Organisation', 'Category', 'AllCameras'].map(k => el('option', { value: k }, t(`grants.scopeKind.${k}`))));
  // Suggestions follow the kinds chosen; the API names any unknown user, role, camera or category.
  const suggest = () => {
    subjects.replaceChildren(...(subjectKind.value === 'Role' ? roles : users.map(u => u.userName)).map(v => el('option', { value: v })));
    const values = scopeKind.value === 'Organisation' ? organisations.map(o => o.id) : scopeKind.value === 'Category' ? categories : [];
    scopes.replaceChildren(...values.map(v => el('option', { value: v })));
    scope.disabled = scopeKind.value === 'AllCameras';
  };
  subjectKind.addEventListener('change', suggest);
  scopeKind.addEventListener('change', suggest);
  suggest();
  const form = el('form.grid.panel', { id: 'grant-form', novalidate: true },
    el('label', {}, t('grants.subjectKind'), subjectKind), el('label', {}, t('grants.subject'), subject, subjects),
    el('label', {}, t('grants.scopeKind'), scopeKind), el('label', {}, t('grants.scope'), scope, scopes),
    el('fieldset.wide', { style: 'border:0;padding:0;margin:0;display:flex;gap:1rem;flex-wrap:wrap' },
      el('legend', { class: 'muted' }, t('grants.rights')),
      rights.map(r => el('label', { style: 'flex-direction:row;gap:.3rem;align-items:center' }, el('input', { type: 'checkbox', name: 'rights', value: r }), t(`right.${r}`)))),
    el('label', {}, t('grants.validFrom'), el('input', { name: 'validFrom', type: 'datetime-local' })),
    el('label', {}, t('grants.validUntil'), el('input', { name: 'validUntil', type: 'datetime-local', value: isoToLocal(new Date(Date.now() + 30 * 86400000)) })),
    el('label.wide', {}, t('grants.reason'), el('input', { name: 'reason' })),
    el('div.wide', {}, el('button', { type: 'submit' }, t('grants.create'))),
    el('div.wide', {}, result));
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    result.replaceChildren();
    const f = form.elements;
    try {
      await api('/api/grants', {
        method: 'POST',
        body: {
          subjectKind: subjectKind.value, subject: subject.value.trim(), scopeKind: scopeKind.value, scope: scope.value.trim() || null,
          rights: [...form.querySelectorAll('input[name=rights]:checked')].map(c => c.value).join(', ') || 'None',
          validFrom: localToIso(f.validFrom.value), validUntil: localToIso(f.validUntil.value), reason: f.reason.value.trim(),
        },
      });
      result.append(el('div.notice', { role: 'status' }, t('grants.created')));
      await reload();
    } catch (error) {
      result.append(problemBox(error));
    }
  });
  return el('section', {}, el('h2', {}, t('grants.new')), form);
}

async function load(list) {
  const grants = await api('/api/grants');
  const mine = me().userName;
  list.replaceChildren(grants.length ? el('table', { id: 'grant-table' },
    el('thead', {}, el('tr', {}, ['subject', 'scope', 'rights', 'validity', 'reason', 'createdBy', ''].map(c => el('th', {}, c ? t(`grants.col.${c}`) : '')))),
    el('tbody', {}, grants.map(g => el('tr', { dataset: { grant: g.id, subject: g.subject, scope: g.scope } },
      el('td', {}, g.subject, el('div.muted', {}, t(`grants.subjectKind.${g.subjectKind}`))),
      el('td', {}, g.scopeKind === 'AllCameras' ? t('grants.scopeKind.AllCameras') : g.scope, el('div.muted', {}, t(`grants.scopeKind.${g.scopeKind}`))),
      el('td', {}, String(g.rights).split(', ').map(r => t(`right.${r}`)).join(', ')),
      el('td', {}, `${g.validFromUtc ? formatTime(g.validFromUtc) : '…'} – ${g.validUntilUtc ? formatTime(g.validUntilUtc) : '…'}`),
      el('td', {}, g.reason),
      el('td', {}, g.createdBy, el('div.muted', {}, formatTime(g.createdAtUtc))),
      el('td', {}, g.subject === mine ? null : el('button.danger', {
        type: 'button', dataset: { action: 'revoke' },
        onclick: async () => {
          try { await api(`/api/grants/${g.id}`, { method: 'DELETE' }); await load(list); } catch (error) { list.prepend(problemBox(error)); }
        },
      }, t('grants.revoke'))))))) : el('p.muted', {}, t('grants.none')));
}
