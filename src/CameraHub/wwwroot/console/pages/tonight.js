// Tonight (care operators): the night's supervision visits in order, one button to start each look (the stream ends at
// the decision's longest look, with a countdown), a one-click outcome afterwards, and this month's figures per unit.
// The API decides everything: windows, units, the limit; the page only shows what it answers.
import { api, el, events, formatNumber, formatTime, problemBox, t } from '../core.js';
import { StreamPlayer } from '../player.js';

const clock = value => new Date(value).toLocaleTimeString('sv-SE', { timeZone: 'Europe/Stockholm', hour: '2-digit', minute: '2-digit' });

export async function render(view) {
  const list = el('tbody');
  const alerts = el('div', { id: 'care-alerts', role: 'status' });
  const lookPanel = el('section.panel', { id: 'care-look', hidden: true });
  const reportBody = el('tbody');
  const heading = el('p.muted');
  const chartCanvas = el('canvas', { id: 'chart-care', 'aria-label': t('care.report.title') });
  let chart = null;
  let player = null;
  let countdown = null;
  let active = null;

  const stopLook = () => {
    clearInterval(countdown);
    countdown = null;
    player?.dispose();
    player = null;
    active = null;
  };

  const outcomeButtons = visit => {
    const note = el('input', { name: 'note', placeholder: t('care.note'), 'aria-label': t('care.note') });
    const send = async outcome => {
      try {
        await api(`/api/care/visits/${visit.id}/outcome`, { method: 'POST', body: { outcome, note: note.value || null } });
        stopLook();
        lookPanel.hidden = true;
        await refresh();
      } catch (error) {
        alerts.replaceChildren(problemBox(error));
      }
    };
    return el('span.outcome', { dataset: { visit: visit.id } },
      el('button', { type: 'button', dataset: { outcome: 'ok' }, onclick: () => send('ok') }, t('care.outcome.ok')),
      ' ', note, ' ',
      el('button.secondary', { type: 'button', dataset: { outcome: 'needsAttention' }, onclick: () => send('needsAttention') }, t('care.outcome.needsAttention')),
      ' ',
      el('button.secondary', { type: 'button', dataset: { outcome: 'noPicture' }, onclick: () => send('noPicture') }, t('care.outcome.noPicture')));
  };

  // A visit's look inside its window, or an emergency look on the visit's decision (reason required, flagged).
  const startLook = async (visit, reason, emergency = false) => {
    alerts.replaceChildren();
    try {
      const look = await api(emergency ? `/api/care/decisions/${visit.decisionId}/emergency-look` : `/api/care/visits/${visit.id}/look`,
        { method: 'POST', body: { reason: reason || null } });
      const session = await api(look.liveUrl, { method: 'POST' });
      stopLook();
      active = visit.id;
      const video = el('video', { muted: true, autoplay: true, playsInline: true, id: 'care-video' });
      const remaining = el('strong', { id: 'care-countdown' });
      const state = el('span.muted', { id: 'care-state' });
      lookPanel.replaceChildren(
        el('h2', {}, t('care.looking', { resident: visit.residentName || visit.residentId, time: clock(visit.plannedAt) })),
        el('p', {}, t('care.remaining'), ' ', remaining, ' ', state),
        video, el('p', {}, t('care.afterLook')), outcomeButtons(visit));
      lookPanel.hidden = false;
      player = new StreamPlayer(video, { onState: (s, detail) => { state.textContent = s === 'ended' ? t('care.ended', { reason: detail.reason || '' }) : ''; } });
      player.connect(session.webSocketUrl);
      const tick = () => {
        const left = Math.max(0, Math.round((new Date(look.endsAt) - Date.now()) / 1000));
        remaining.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
        if (left === 0) { clearInterval(countdown); countdown = null; }
      };
      tick();
      countdown = setInterval(tick, 1000);
      await refresh();
    } catch (error) {
      alerts.replaceChildren(problemBox(error));
    }
  };

  const row = visit => {
    const now = Date.now();
    const open = visit.state === 'Planned' && new Date(visit.windowStart) <= now && now < new Date(visit.windowEnd);
    let action = '';
    if (active === visit.id) {
      action = t('care.lookOpen');
    } else if (open) {
      const reason = el('input', { name: 'reason', placeholder: t('care.reason'), 'aria-label': t('care.reason') });
      action = el('span', {},
        visit.looks > 0 ? reason : '',
        el('button', { type: 'button', dataset: { look: visit.id }, onclick: () => startLook(visit, reason.value) }, visit.looks > 0 ? t('care.lookAgain') : t('care.startLook')));
    } else if (visit.state === 'Planned' && new Date(visit.windowStart) > now) {
      action = t('care.opensAt', { time: clock(visit.windowStart) });
    }
    if (!open && active !== visit.id) {
      const emergency = el('button.secondary', { type: 'button', dataset: { emergency: visit.decisionId }, onclick: () => {
        const reason = window.prompt(t('care.emergencyReason'));
        if (reason) startLook(visit, reason, true);
      } }, t('care.emergency'));
      action = el('span', {}, action, ' ', emergency);
    }

    const needsOutcome = visit.looks > 0 && !visit.outcome && visit.state !== 'Missed' && visit.state !== 'Cancelled';
    return el('tr', { dataset: { visit: visit.id, state: visit.state, camera: visit.cameraId } },
      el('td', {}, clock(visit.plannedAt)),
      el('td.muted', {}, `${clock(visit.windowStart)}–${clock(visit.windowEnd)}`),
      el('td', {}, visit.residentName || '', ' ', el('span.muted', {}, visit.residentId || '')),
      el('td', {}, visit.cameraId),
      el('td', {}, visit.careUnit),
      el('td', { dataset: { column: 'state' } }, t(`care.state.${visit.state}`), visit.outcome ? ` · ${t(`care.outcome.${visit.outcome.charAt(0).toLowerCase()}${visit.outcome.slice(1)}`)}` : '',
        visit.lookSeconds ? ` (${formatNumber(visit.lookSeconds)} s)` : ''),
      el('td', {}, needsOutcome && !player ? outcomeButtons(visit) : action));
  };

  async function refresh() {
    const [night, report] = await Promise.all([api('/api/care/visits'), api('/api/care/reports/visits')]);
    heading.textContent = t('care.night', { night: night.night, from: formatTime(night.from), to: formatTime(night.to), count: formatNumber(night.visits.length) });
    // Due first: open and coming visits in planned order, then the night's closed ones.
    const due = night.visits.filter(v => v.state === 'Planned' || (v.looks > 0 && !v.outcome));
    const closed = night.visits.filter(v => !due.includes(v));
    list.replaceChildren(...due.map(row), ...closed.map(row));
    reportBody.replaceChildren(...report.map(r => el('tr', { dataset: { unit: r.careUnit } },
      el('td', {}, r.careUnit === 'all' ? t('care.report.all') : r.careUnit),
      ...[r.scheduled, r.done, r.missed, r.cancelled].map(v => el('td.num', {}, formatNumber(v))),
      el('td.num', {}, formatNumber(r.averageLookSeconds, 1)), el('td.num', {}, formatNumber(r.looksOutsideSchedule)))));
    drawChart(report.filter(r => r.careUnit !== 'all'));
  }

  // Done, missed and still to come per unit this month.
  function drawChart(units) {
    if (!window.Chart) return;
    chart?.destroy();
    chart = new window.Chart(chartCanvas, {
      type: 'bar',
      data: {
        labels: units.map(u => u.careUnit),
        datasets: [
          { label: t('care.report.done'), data: units.map(u => u.done), backgroundColor: '#2e7d32' },
          { label: t('care.report.missed'), data: units.map(u => u.missed), backgroundColor: '#c62828' },
          { label: t('care.report.toCome'), data: units.map(u => u.scheduled - u.done - u.missed - u.cancelled), backgroundColor: '#90a4ae' },
        ],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: 'y', scales: { x: { stacked: true }, y: { stacked: true } } },
    });
  }

  const columns = ['time', 'window', 'resident', 'camera', 'unit', 'state', 'action'];
  view.append(el('h1', {}, t('care.title')), heading, alerts, lookPanel,
    el('table', { id: 'care-visits' }, el('thead', {}, el('tr', {}, columns.map(c => el('th', {}, t(`care.col.${c}`))))), list),
    el('section', { id: 'care-report' },
      el('h2', {}, t('care.report.title'), ' ', el('a.button.secondary', { href: '/api/care/reports/visits?format=csv', download: 'care-visits.csv' }, t('reports.csv'))),
      el('table', {}, el('thead', {}, el('tr', {}, ['unit', 'scheduled', 'done', 'missed', 'cancelled', 'averageLook', 'outsideSchedule']
        .map(c => el(c === 'unit' ? 'th' : 'th.num', {}, t(`care.report.${c}`))))), reportBody),
      el('div.panel', {}, el('div.chart', {}, chartCanvas))));
  await refresh();

  const offMissed = events().on('careVisitMissed', missed => {
    alerts.replaceChildren(el('div.error', { role: 'alert' }, t('care.missed', { time: clock(missed.plannedAtUtc), camera: missed.cameraId, unit: missed.careUnit })));
    refresh().catch(() => {});
  });
  // Windows open and close while the page is up.
  const timer = setInterval(() => { if (!player) refresh().catch(() => {}); }, 30000);
  return () => { offMissed(); clearInterval(timer); stopLook(); chart?.destroy(); };
}
