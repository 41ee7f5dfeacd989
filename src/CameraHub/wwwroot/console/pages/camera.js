// One camera: legal basis, retention, masking (with the mask preview), sharing, costs, history; the actions the user
// holds on it; and the edit form, which shows the API's own validation messages next to the fields they name.
import { api, el, formatNumber, formatTime, problemBox, rightsOf, t } from '../core.js';
import { statusBadge, modes, statuses } from './cameras.js';

export async function render(view, id) {
  const [camera, rights, organisations] = await Promise.all([
    api(`/api/cameras/${encodeURIComponent(id)}`),
    rightsOf([id]),
    api('/api/organisations'),
  ]);
  const mine = rights.get(id) || { allowed: new Set(), refused: {} };
  const can = right => mine.allowed.has(right);
  const owner = organisations.find(o => o.id === camera.ownerId)?.name || camera.ownerId;
  const body = el('div');
  const actions = el('div.toolbar', { id: 'camera-actions' },
    can('Live') ? el('a.button', { href: `#/wall?layout=1&cameras=${encodeURIComponent(id)}` }, t('camera.watchLive')) : null,
    can('Playback') ? el('a.button', { href: `#/playback/${encodeURIComponent(id)}` }, t('camera.playback')) : null,
    can('Export') ? el('a.button', { href: `#/evidence?camera=${encodeURIComponent(id)}` }, t('camera.requestEvidence')) : null,
    can('Unmask') && camera.masking.kind !== 'None' && camera.masking.liftable
      ? el('a.button.secondary', { href: `#/mask-lifts?camera=${encodeURIComponent(id)}`, dataset: { action: 'request-lift' } }, t('lifts.requestHere')) : null,
    can('Manage') ? el('button.secondary', { type: 'button', onclick: () => showEdit() }, t('camera.edit')) : null);

  function showDetail(current, notice) {
    const lb = current.legalBasis;
    const fact = (label, value) => [el('dt', {}, t(label)), el('dd', {}, value ?? '–')];
    body.replaceChildren(...[
      notice ? el('div.notice', { role: 'status' }, notice) : null,
      el('div.columns', {},
        el('section.panel', {}, el('h2', {}, t('camera.general')), el('dl.facts', {},
          fact('cameras.col.owner', owner), fact('cameras.col.category', t(`category.${current.category}`)),
          fact('cameras.col.mode', t(`mode.${current.mode}`)), fact('cameras.col.status', statusBadge(current.status)),
          fact('camera.site', current.siteId), fact('camera.device', [current.vendor, current.model, current.firmware].filter(Boolean).join(' ')),
          fact('camera.position', current.latitude ? `${current.latitude.toFixed(5)}, ${current.longitude.toFixed(5)}` : null),
          fact('camera.allowedHours', current.allowedHours), fact('camera.retention', current.retentionDays ? t('camera.days', { days: current.retentionDays }) : null),
          fact('camera.signage', current.signage.posted ? current.signage.text || t('common.yes') : el('span.badge.bad', {}, t('common.no'))),
          fact('camera.sharing', current.sharingPartnerIds.join(', ') || null))),
        el('section.panel', {}, el('h2', {}, t('camera.legalBasis')), el('dl.facts', {},
          fact('camera.legal.kind', current.legalBasisValid ? t(`legal.${lb.kind}`) : el('span.badge.bad', {}, `${t(`legal.${lb.kind}`)} – ${t('legal.invalid')}`)),
          fact('camera.legal.reference', lb.reference), fact('camera.legal.decided', [lb.decidedOn, lb.decidedBy].filter(Boolean).join(', ') || null),
          fact('camera.legal.purpose', lb.purpose), fact('camera.legal.gdpr', lb.gdprArticle), fact('camera.legal.weighing', lb.weighing),
          lb.kind === 'Permit' ? fact('camera.legal.permitUntil', lb.permitValidUntil) : null,
          lb.kind === 'Permit' ? fact('camera.legal.permitRetention', lb.permitMaxRetentionDays ? t('camera.days', { days: lb.permitMaxRetentionDays }) : null) : null,
          fact('camera.legal.review', lb.effectiveReviewDate))),
        el('section.panel', {}, el('h2', {}, t('camera.masking')), el('dl.facts', {},
          fact('camera.masking.kind', t(`masking.${current.masking.kind}`)),
          current.masking.keepDistanceMetres ? fact('camera.masking.distance', `${formatNumber(current.masking.keepDistanceMetres, 1)} m`) : null,
          current.masking.kind !== 'None' ? fact('lifts.profile', t(current.masking.liftable ? 'lifts.liftable' : 'lifts.permanentProfile')) : null),
          current.masking.kind !== 'None' ? maskSite(id) : null,
          current.masking.kind !== 'None' ? maskPreview(id) : null),
        el('section.panel', {}, el('h2', {}, t('camera.costs')), el('dl.facts', {},
          fact('camera.costs.equipment', `${formatNumber(current.costs.equipmentSek)} kr`), fact('camera.costs.installation', `${formatNumber(current.costs.installationSek)} kr`),
          fact('camera.costs.maintenance', `${formatNumber(current.costs.maintenanceSekPerYear)} kr/${t('common.year')}`),
          fact('camera.costs.lease', `${formatNumber(current.costs.leaseSekPerYear)} kr/${t('common.year')}`),
          fact('camera.costs.monitoring', `${formatNumber(current.costs.monitoringHoursPerWeek, 1)} h/${t('common.week')}`)))),
      historyPanel(id)].filter(Boolean));
  }

  function maskSite(cameraId) {
    // Where the mask is applied: by the camera itself (its Media2 masks, verified from its own stream) or by the hub.
    const line = el('p', { id: 'camera-mask-site' }, t('camera.maskSite.loading'));
    api(`/api/cameras/${encodeURIComponent(cameraId)}/mask-site`).then(site => {
      line.textContent = site.maskedAt === 'camera'
        ? t('camera.maskSite.camera', { time: formatTime(site.verifiedAt, { seconds: true }) })
        : t('camera.maskSite.hub');
      line.title = site.reason || '';
    }).catch(() => line.remove());
    return line;
  }

  function maskPreview(cameraId) {
    // The preview draws the mask over the camera's snapshot; only owners and the DPO may see it, so hide it quietly otherwise.
    const image = el('img', { src: `/api/cameras/${encodeURIComponent(cameraId)}/mask-preview.png`, alt: t('camera.masking.preview'), style: 'max-width:100%;margin-top:.5rem' });
    const note = el('p.muted', {}, t('camera.masking.previewNote'));
    // Outside the camera's mode or hours no snapshot is taken (409): show the mask alone (white kept, black obscured).
    const maskOnly = `/api/cameras/${encodeURIComponent(cameraId)}/mask.png`;
    image.addEventListener('error', () => {
      if (!image.src.endsWith(maskOnly)) { image.src = maskOnly; note.textContent = t('camera.masking.noPreview'); return; }
      image.remove();
    });
    return el('div', {}, image, note);
  }

  function showEdit(problem) {
    const current = camera;
    const lb = current.legalBasis;
    const field = (name, label, value, attributes = {}) => el('label', { dataset: { field: name.toLowerCase() } }, t(label),
      attributes.options
        ? el('select', { name }, attributes.options.map(o => el('option', { value: o.value, selected: String(value ?? '') === o.value }, o.label)))
        : attributes.textarea ? el('textarea', { name, rows: 3 }, value ?? '')
          : el('input', { name, value: value ?? '', type: attributes.type || 'text', step: attributes.step }),
      el('span.field-error'));
    const form = el('form.grid.panel', { id: 'camera-edit', novalidate: true },
      field('name', 'camera.name', current.name),
      field('mode', 'cameras.col.mode', current.mode, { options: modes.map(m => ({ value: m, label: t(`mode.${m}`) })) }),
      field('status', 'cameras.col.status', current.status, { options: statuses.map(s => ({ value: s, label: t(`status.${s}`) })) }),
      field('allowedHours', 'camera.allowedHours', current.allowedHours),
      field('retentionDays', 'camera.retention', current.retentionDays, { type: 'number' }),
      field('legalBasis.kind', 'camera.legal.kind', lb.kind, { options: ['None', 'BalancingOfInterests', 'Permit'].map(k => ({ value: k, label: t(`legal.${k}`) })) }),
      field('legalBasis.reference', 'camera.legal.reference', lb.reference),
      field('legalBasis.decidedOn', 'camera.legal.decidedOn', lb.decidedOn, { type: 'date' }),
      field('legalBasis.decidedBy', 'camera.legal.decidedBy', lb.decidedBy),
      field('legalBasis.purpose', 'camera.legal.purpose', lb.purpose),
      field('legalBasis.gdprArticle', 'camera.legal.gdpr', lb.gdprArticle),
      field('legalBasis.permitValidUntil', 'camera.legal.permitUntil', lb.permitValidUntil, { type: 'date' }),
      field('legalBasis.permitMaxRetentionDays', 'camera.legal.permitRetention', lb.permitMaxRetentionDays, { type: 'number' }),
      field('legalBasis.reviewDue', 'camera.legal.review', lb.reviewDue, { type: 'date' }),
      el('div.wide', {}, field('legalBasis.weighing', 'camera.legal.weighing', lb.weighing, { textarea: true })),
      field('masking.kind', 'camera.masking.kind', current.masking.kind, { options: ['None', 'FacadeDistance', 'PrivacyPolygons'].map(k => ({ value: k, label: t(`masking.${k}`) })) }),
      field('masking.keepDistanceMetres', 'camera.masking.distance', current.masking.keepDistanceMetres, { type: 'number', step: '0.1' }),
      field('sharingPartnerIds', 'camera.sharing', current.sharingPartnerIds.join(', ')),
      el('div.wide.toolbar', {}, el('button', { type: 'submit' }, t('common.save')),
        el('button.secondary', { type: 'button', onclick: () => showDetail(camera) }, t('common.cancel'))));
    if (problem) showProblem(form, problem);
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      const value = name => { const v = form.elements[name].value.trim(); return v === '' ? null : v; };
      const number = name => (value(name) === null ? null : Number(value(name)));
      const input = {
        ...current, password: null,
        name: value('name'), mode: value('mode'), status: value('status'), allowedHours: value('allowedHours'), retentionDays: number('retentionDays'),
        legalBasis: {
          kind: value('legalBasis.kind'), reference: value('legalBasis.reference'), decidedOn: value('legalBasis.decidedOn'), decidedBy: value('legalBasis.decidedBy'),
          weighing: value('legalBasis.weighing'), permitValidUntil: value('legalBasis.permitValidUntil'), permitMaxRetentionDays: number('legalBasis.permitMaxRetentionDays'),
          gdprArticle: value('legalBasis.gdprArticle'), purpose: value('legalBasis.purpose'), reviewDue: value('legalBasis.reviewDue'),
        },
        masking: { ...current.masking, kind: value('masking.kind'), keepDistanceMetres: number('masking.keepDistanceMetres') },
        sharingPartnerIds: (value('sharingPartnerIds') || '').split(',').map(s => s.trim()).filter(Boolean),
      };
      try {
        Object.assign(camera, await api(`/api/cameras/${encodeURIComponent(id)}`, { method: 'PUT', body: input }));
        showDetail(camera, t('camera.saved'));
      } catch (error) {
        showProblem(form, error);
      }
    });
    body.replaceChildren(el('h2', {}, t('camera.edit')), form);
  }

  // The API names fields like "LegalBasis.Reference"; put each message under its field and list them all on top.
  function showProblem(form, error) {
    form.querySelectorAll('.field-error').forEach(e => { e.textContent = ''; });
    form.querySelector('.problem')?.remove();
    for (const [key, messages] of Object.entries(error.problem?.errors || {})) {
      const target = form.querySelector(`[data-field="${CSS.escape(key.toLowerCase())}"] .field-error`);
      if (target) target.textContent = [].concat(messages).join(' ');
    }
    form.prepend(el('div.wide', {}, problemBox(error)));
  }

  view.append(el('h1', {}, `${camera.name} `, el('span.muted', {}, camera.id)), actions, body);
  showDetail(camera);
}

function historyPanel(id) {
  const panel = el('section.panel', {}, el('h2', {}, t('camera.history')));
  api(`/api/cameras/${encodeURIComponent(id)}/history`).then(changes => {
    const rows = (Array.isArray(changes) ? changes : changes.items || []).slice(0, 20);
    panel.append(rows.length ? el('table', {}, el('tbody', {}, rows.map(c => el('tr', {},
      el('td', {}, formatTime(c.at || c.changedAt || c.atUtc)), el('td', {}, c.actor || c.changedBy || ''), el('td', {}, c.kind || c.change || c.summary || ''))))) : el('p.muted', {}, '–'));
  }).catch(() => panel.remove());
  return panel;
}

