// The live wall: 1, 4, 9 or 16 tiles, each playing one camera over MSE with its name, status and viewer count. A tile
// whose stream drops, or whose camera moves to another node of a cluster, reconnects by itself; one whose access is
// revoked closes and says why.
import { api, camerasWith, el, events, replaceQuery, routeQuery, t } from '../core.js';
import { StreamPlayer } from '../player.js';
import { showFeedMarks } from './maskmark.js';

const layouts = [1, 4, 9, 16];

export async function render(view) {
  const query = routeQuery();
  let layout = layouts.includes(Number(query.get('layout'))) ? Number(query.get('layout')) : 4;
  const wanted = (query.get('cameras') || '').split(',').filter(Boolean);

  // Only cameras the user may watch live now are offered (the broker checks again on every session).
  const watchable = await camerasWith('Live');
  const byId = new Map(watchable.map(c => [c.id, c]));

  const grid = el('div.wall', { id: 'wall' });
  const tiles = [];
  const hub = events();
  const unsubscribe = [
    hub.on('viewerCount', e => tiles.forEach(tile => tile?.viewers(e))),
    hub.on('cameraStatus', e => tiles.forEach(tile => tile?.status(e))),
    hub.on('sessionEnded', e => tiles.forEach(tile => tile?.sessionEnded(e))),
    hub.on('cameraOwnerChanged', e => tiles.forEach(tile => tile?.ownerChanged(e))),
  ];

  function save() {
    const params = new URLSearchParams({ layout: String(layout) });
    const ids = tiles.slice(0, layout).map(tile => tile?.cameraId || '');
    while (ids.length && !ids[ids.length - 1]) ids.pop();
    if (ids.length) params.set('cameras', ids.join(','));
    replaceQuery(params);
    // Keep the list readable (and shareable) in the address: camera ids never contain commas.
    history.replaceState(null, '', location.href.replace(/%2C/g, ','));
  }

  function draw() {
    grid.className = `wall l${layout}`;
    for (let i = layout; i < tiles.length; i++) { tiles[i]?.dispose(); tiles[i] = null; }
    tiles.length = Math.min(tiles.length, layout);
    grid.replaceChildren(...Array.from({ length: layout }, (_, i) => tiles[i]?.element
      || el('div.tile.empty', { dataset: { slot: String(i) } }, t('wall.empty'))));
    save();
  }

  function place(cameraId, slot) {
    const index = slot ?? (tiles.findIndex((tile, i) => i < layout && !tile) >= 0 ? tiles.findIndex((tile, i) => i < layout && !tile) : Math.min(tiles.length, layout - 1));
    tiles[index]?.dispose();
    tiles[index] = new Tile(cameraId, byId.get(cameraId)?.name || cameraId, () => { tiles[index] = null; draw(); });
    draw();
  }

  const filter = el('input', { type: 'search', placeholder: t('wall.filter'), 'aria-label': t('wall.filter') });
  const list = el('ul.picker', { id: 'wall-picker', style: 'list-style:none;padding:0;margin:0' });
  const drawList = () => {
    const text = filter.value.toLowerCase();
    list.replaceChildren(...watchable.filter(c => !text || `${c.id} ${c.name}`.toLowerCase().includes(text)).map(c =>
      el('li', {}, el('button.secondary', { type: 'button', style: 'width:100%;text-align:left;margin:.1rem 0', dataset: { camera: c.id }, onclick: () => place(c.id) },
        el('strong', {}, c.id), ' ', c.name))));
  };
  filter.addEventListener('input', drawList);
  const layoutPicker = el('div.toolbar', {}, el('span', {}, t('wall.layout')), layouts.map(n =>
    el('button.secondary', { type: 'button', dataset: { layout: String(n) }, onclick: () => { layout = n; draw(); } }, n === 1 ? '1' : `${Math.sqrt(n)}×${Math.sqrt(n)}`)));

  view.append(el('h1', {}, t('wall.title')),
    el('div.wall-layout', {},
      el('aside.panel', {}, el('h2', {}, t('wall.cameras', { count: watchable.length })), filter, list),
      el('div', {}, layoutPicker, grid)));
  drawList();
  wanted.slice(0, layout).forEach((id, i) => { if (id) place(id, i); });
  draw();

  return () => {
    unsubscribe.forEach(u => u());
    tiles.forEach(tile => tile?.dispose());
  };
}

/** One wall tile: opens a live session, plays it, shows status and viewers, reconnects unless access was revoked. */
class Tile {
  constructor(cameraId, name, onClose) {
    this.cameraId = cameraId;
    this.closed = false;
    this.attempt = 0;
    this.video = el('video', { muted: true, autoplay: true, playsInline: true });
    this.video.muted = true;
    this.stateLabel = el('span.state.connecting', {}, t('wall.state.connecting'));
    this.viewerLabel = el('span.viewers', { title: t('wall.viewers') }, '');
    this.message = el('div.message', { hidden: true });
    this.element = el('div.tile', { dataset: { camera: cameraId, state: 'connecting' } },
      this.video,
      el('div.caption', {}, el('span.name', {}, name, ' ', el('span.muted', {}, cameraId)), this.stateLabel, this.viewerLabel),
      this.message,
      el('button.close', { type: 'button', title: t('wall.close'), onclick: () => { this.dispose(); onClose(); } }, '✕'));
    this.player = new StreamPlayer(this.video, { onState: (state, detail) => this.onState(state, detail) });
    this.unfollow = events().follow([cameraId]);
    this.open();
    api(`/api/cameras/${encodeURIComponent(cameraId)}/viewers`).then(v => this.viewers({ cameraId, viewers: v.viewers ?? v })).catch(() => {});
  }

  show(state, text, message) {
    this.element.dataset.state = state;
    this.stateLabel.className = `state ${state}`;
    this.stateLabel.textContent = text;
    this.message.hidden = !message;
    this.message.textContent = message || '';
  }

  async open() {
    if (this.closed) return;
    this.show('connecting', t('wall.state.connecting'));
    try {
      const session = await api(`/api/cameras/${encodeURIComponent(this.cameraId)}/live`, { method: 'POST' });
      if (this.closed) return;
      this.sessionId = session.sessionId;
      this.stopMarks?.();
      this.stopMarks = showFeedMarks(this.element, session);
      this.player.connect(session.webSocketUrl);
    } catch (error) {
      if (error.status === 403 || error.status === 404) {
        this.close(t('wall.refused', { reason: error.message }));
      } else if (error.status === 503) {
        // No node of the cluster holds the camera for a moment (it is moving): ask again soon.
        this.show('connecting', t('wall.state.moving'), error.message);
        this.retry(2000);
      } else {
        // 409 (outside allowed hours, not active) and failures: say why, try again later.
        this.show('offline', t('wall.state.offline'), error.message);
        this.retry(15000);
      }
    }
  }

  retry(delay) {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => this.open(), delay ?? Math.min(10000, 1000 * 2 ** this.attempt++));
  }

  onState(state, detail) {
    if (this.closed) return;
    if (state === 'live') { this.attempt = 0; this.show('live', t('wall.state.live')); }
    else if (state === 'connecting') this.show('connecting', t('wall.state.connecting'));
    else if (state === 'offline') this.show('offline', t('wall.state.offline'), t('wall.offlineReason', { reason: detail.reason || t('wall.noReason') }));
    else if (state === 'ended') {
      if (detail.revoked) this.close(t('wall.revoked', { reason: detail.reason }));
      else { this.show('offline', t('wall.state.offline'), detail.reason); this.retry(5000); }
    } else if (state === 'closed') {
      // The socket went away (hub restart, network): open a new session; the policy is asked again.
      this.show('connecting', t('wall.state.reconnecting'), detail.reason);
      this.retry();
    }
  }

  viewers(e) {
    if (e.cameraId === this.cameraId && typeof e.viewers === 'number') this.viewerLabel.textContent = t('wall.viewerCount', { count: e.viewers });
  }

  status(e) {
    if (e.cameraId !== this.cameraId || this.closed) return;
    if (e.state === 'Offline' && this.element.dataset.state !== 'offline') this.show('offline', t('wall.state.offline'), t('wall.offlineReason', { reason: e.reason || t('wall.noReason') }));
  }

  /**
   * The camera moved to another node (failover, drain): its old stream stops there, so open a new session at once
   * through this page's node, which answers with the new owner's URLs. No reload, no backoff.
   */
  ownerChanged(e) {
    if (e.cameraId !== this.cameraId || this.closed) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    // Let go of the old node's socket first, quietly: its close must not schedule a second reconnect.
    this.player.closeSocket();
    this.show('connecting', t('wall.state.moving'), e.node ? t('wall.movedTo', { node: e.node }) : null);
    this.open();
  }

  sessionEnded(e) {
    if (e.sessionId === this.sessionId && e.revoked) this.close(t('wall.revoked', { reason: e.reason }));
  }

  /** Stops the stream and leaves the tile showing why. */
  close(message) {
    this.closed = true;
    clearTimeout(this.timer);
    this.unfollow();
    this.player.dispose();
    this.show('closed', t('wall.state.closed'), message);
  }

  dispose() {
    if (!this.closed) this.unfollow();
    this.closed = true;
    clearTimeout(this.timer);
    this.player.dispose();
  }
}

