// Plays the broker's WebSocket stream (fMP4) through Media Source Extensions. The protocol: a text "reset" message with
// the codec, then the init segment and media fragments as binary messages. "offline"/"online" say the camera dropped or
// came back (the stream then resumes on the same socket with a new reset); "ended" says the broker closed the session
// (revoked, allowed hours over, too slow) and why.

/** One video element fed from one live or playback WebSocket. */
export class StreamPlayer {
  /**
   * @param {HTMLVideoElement} video
   * @param {{ onState?: (state: string, detail?: object) => void, live?: boolean }} options
   *   live: stay near the live edge (true) or play every buffered second in order (playback).
   */
  constructor(video, { onState = () => {}, live = true } = {}) {
    this.video = video;
    this.onState = onState;
    this.live = live;
    this.stats = { messages: 0, bytes: 0, resets: 0, state: 'idle', ended: null, start: null };
    this.pending = [];
    this.sourceBuffer = null;
    this.socket = null;
    this.timer = setInterval(() => this.chase(), 500);
  }

  setState(state, detail = {}) {
    this.stats.state = state;
    this.onState(state, detail);
  }

  /** Opens the WebSocket at url (a session's webSocketUrl, relative or absolute). */
  connect(url) {
    this.closeSocket();
    const absolute = new URL(url, location.href);
    absolute.protocol = absolute.protocol === 'https:' ? 'wss:' : absolute.protocol === 'http:' ? 'ws:' : absolute.protocol;
    const socket = this.socket = new WebSocket(absolute);
    socket.binaryType = 'arraybuffer';
    this.setState('connecting');
    socket.onmessage = event => this.receive(event.data);
    socket.onclose = event => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.stats.ended) this.setState('closed', { reason: event.reason || null });
    };
  }

  receive(data) {
    this.stats.messages++;
    if (typeof data === 'string') {
      const message = JSON.parse(data);
      if (message.type === 'reset') this.reset(message.codec, message.start);
      else if (message.type === 'offline') this.setState('offline', { reason: message.reason });
      else if (message.type === 'online') this.setState('live');
      else if (message.type === 'ended') {
        this.stats.ended = message.reason || 'ended';
        this.setState('ended', { reason: message.reason, revoked: !!message.revoked });
      }
      return;
    }
    this.stats.bytes += data.byteLength;
    if (this.stats.state !== 'live') this.setState('live');
    this.pending.push(data);
    this.pump();
  }

  reset(codec, start) {
    this.stats.resets++;
    this.stats.start = start || null;
    this.pending = [];
    this.sourceBuffer = null;
    const mediaSource = new MediaSource();
    const type = `video/mp4; codecs="${codec}"`;
    mediaSource.addEventListener('sourceopen', () => {
      this.sourceBuffer = mediaSource.addSourceBuffer(MediaSource.isTypeSupported(type) ? type : 'video/mp4; codecs="avc1.42E01E"');
      this.sourceBuffer.mode = 'segments';
      this.sourceBuffer.addEventListener('updateend', () => this.pump());
      this.pump();
    }, { once: true });
    if (this.video.src) URL.revokeObjectURL(this.video.src);
    this.video.src = URL.createObjectURL(mediaSource);
    this.video.play().catch(() => {});
  }

  pump() {
    const buffer = this.sourceBuffer;
    if (!buffer || buffer.updating || this.pending.length === 0) return;
    try {
      buffer.appendBuffer(this.pending.shift());
    } catch (e) {
      if (e.name === 'QuotaExceededError') this.trim(true);
    }
  }

  // Live: stay near the edge and jump over gaps left by skipped fragments. Both: keep little in memory.
  chase() {
    const b = this.video.buffered;
    if (b.length === 0) return;
    if (this.live) {
      const end = b.end(b.length - 1);
      const current = this.video.currentTime;
      const inRange = [...Array(b.length).keys()].some(i => current >= b.start(i) && current <= b.end(i));
      if (!inRange || end - current > 2) this.video.currentTime = Math.max(b.start(b.length - 1), end - 0.3);
    } else if (![...Array(b.length).keys()].some(i => this.video.currentTime >= b.start(i) && this.video.currentTime <= b.end(i))) {
      // Playback across a recording gap: continue at the next buffered range.
      const next = [...Array(b.length).keys()].map(i => b.start(i)).find(s => s > this.video.currentTime);
      if (next !== undefined) this.video.currentTime = next;
    }
    this.trim(false);
  }

  trim(force) {
    const buffer = this.sourceBuffer;
    if (!buffer || buffer.updating || this.video.buffered.length === 0) return;
    const start = this.video.buffered.start(0);
    if (force || this.video.currentTime - start > 30) buffer.remove(start, Math.max(start, this.video.currentTime - 10));
  }

  closeSocket() {
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close();
    }
  }

  /** Stops playing and lets go of the socket and the media source. */
  dispose() {
    clearInterval(this.timer);
    this.closeSocket();
    this.video.removeAttribute('src');
    this.video.load();
  }
}
