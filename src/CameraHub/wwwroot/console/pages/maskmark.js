// What a picture's masking is, shown on it (DESIGN.md 4.6): a small mark on a masked picture, and a clear UNMASKED
// banner with a countdown while a mask lift shows a masked camera's original. Used by the wall and playback.
import { el, t } from '../core.js';

/**
 * Puts the marks for a session ({ masked, unmaskedUntil }) into `host` (a positioned element over the video),
 * replacing earlier ones; returns a function that stops the countdown.
 */
export function showFeedMarks(host, session) {
  host.querySelectorAll('.mask-mark, .unmasked-banner').forEach(n => n.remove());
  if (session?.masked) {
    host.append(el('span.mask-mark', { title: t('mask.markTitle'), dataset: { testid: 'mask-mark' } }, t('mask.mark')));
    return () => {};
  }

  if (!session?.unmaskedUntil) return () => {};
  const until = new Date(session.unmaskedUntil);
  const countdown = el('span.countdown', {});
  const banner = el('div.unmasked-banner', { role: 'alert', dataset: { testid: 'unmasked-banner' } }, el('strong', {}, t('mask.unmasked')), ' ', countdown);
  host.append(banner);
  const tick = () => {
    const left = Math.max(0, Math.round((until - Date.now()) / 1000));
    countdown.textContent = t('mask.unmaskedLeft', { minutes: Math.floor(left / 60), seconds: String(left % 60).padStart(2, '0') });
    if (left === 0) clearInterval(timer);
  };
  const timer = setInterval(tick, 1000);
  tick();
  return () => clearInterval(timer);
}
