// @ts-check
/*
 * Telling the agent an offer arrived: a short chime (made with the Web Audio API, no audio
 * file) for every new offer, and a desktop notification while the page is hidden. The
 * browser's permission is asked only from the header's "Enable alerts" button, never on load.
 */

/**
 * @import { Ctx } from './context.js'
 * @import { MentionFrame, OfferFields } from '../protocol.js'
 */

import { el } from '../common.js';

const MENTION_TOAST_MS = 30000;

/** Two soft rising notes, a quarter of a second. Silently nothing where audio is refused. */
export function chime() {
  const Audio = window.AudioContext;
  if (!Audio) return;
  try {
    const audio = new Audio();
    const gain = audio.createGain();
    gain.connect(audio.destination);
    const t0 = audio.currentTime;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.18, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.32);
    [880, 1318.5].forEach((freq, i) => {
      const osc = audio.createOscillator();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(freq, t0 + i * 0.11);
      osc.connect(gain);
      osc.start(t0 + i * 0.11);
      osc.stop(t0 + 0.32);
    });
    setTimeout(() => { audio.close(); }, 600);
  } catch (e) {
    console.warn('ContactHub: could not play the offer chime', e);
  }
}

/** @returns {boolean} */
function canNotify() {
  return 'Notification' in window && Notification.permission === 'granted';
}

/**
 * A new offer arrived (live, not from a snapshot).
 * @param {Ctx} ctx
 * @param {OfferFields} f
 */
export function alertOffer(ctx, f) {
  chime();
  if (document.visibilityState !== 'hidden' || !canNotify()) return;
  const conv = f.conversation || { id: '' };
  const who = conv.customer_name || 'A customer';
  const where = [conv.channel || f.channel, conv.queue].filter(Boolean).join(' · ');
  const note = new Notification('New conversation offer', {
    body: who + (where ? ' (' + where + ')' : '') + (f.preview ? ': ' + f.preview : ''),
    tag: 'contacthub-offer-' + f.offer_id,
  });
  note.addEventListener('click', () => {
    window.focus();
    ctx.ui.showPane('inbox');
    note.close();
  });
}

/**
 * A colleague named this agent in a note: a toast that opens the conversation, and a
 * desktop notification while the page is hidden.
 * @param {Ctx} ctx
 * @param {MentionFrame} f
 */
export function alertMention(ctx, f) {
  chime();
  const who = f.by_agent_name || 'A colleague';
  const open = () => { close(); ctx.ui.openPast(f.conversation_id); };
  const node = el('div', { class: 'toast toast-mention', testid: 'mention-toast', attrs: { role: 'status' } },
    el('button', {
      class: 'toast-open', testid: 'mention-open', attrs: { type: 'button' }, on: { click: open },
    }, el('strong', { text: who + ' mentioned you' }), el('span', { class: 'toast-quote', text: f.text || '' })),
    el('button', {
      class: 'toast-close', text: '×', title: 'Dismiss', attrs: { type: 'button', 'aria-label': 'Dismiss' },
      on: { click: () => close() },
    }));
  const close = () => node.remove();
  const box = document.getElementById('toasts');
  if (box) box.appendChild(node);
  setTimeout(close, MENTION_TOAST_MS);
  if (document.visibilityState !== 'hidden' || !canNotify()) return;
  const note = new Notification(who + ' mentioned you', { body: f.text || '', tag: 'contacthub-mention-' + (f.note_id || '') });
  note.addEventListener('click', () => { window.focus(); open(); note.close(); });
}

/**
 * The header button that asks for the notification permission: shown only while the
 * browser has not been asked yet.
 * @param {Ctx} ctx
 */
export function bindNotifyButton(ctx) {
  const button = ctx.dom.notifyEnable;
  const update = () => {
    button.hidden = !('Notification' in window) || Notification.permission !== 'default';
  };
  update();
  button.addEventListener('click', async () => {
    try {
      await Notification.requestPermission();
    } catch (e) {
      console.warn('ContactHub: notification permission request failed', e);
    }
    update();
  });
}
