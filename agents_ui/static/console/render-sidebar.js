// @ts-check
/* Rendering the top bar (connection, who is signed in), the offers and the conversation list. */

import { clear, el, setConnIndicator } from '../common.js';
import { matchesSearch } from './search.js';

/**
 * @import { Ctx } from './context.js'
 * @import { ConvState, OfferState } from './state.js'
 */

/**
 * @param {Ctx} ctx
 * @param {string} state connecting | connected | reconnecting | syncing | offline
 * @param {number} [delayMs]
 */
export function setConn(ctx, state, delayMs) {
  setConnIndicator(ctx.dom.conn, state, delayMs);
  // Presence only makes sense on a live socket; disabled also tells automation (and
  // people) to wait until the console is connected.
  ctx.dom.presence.disabled = !(state === 'connected' || state === 'syncing');
}

/** @param {Ctx} ctx */
export function renderMe(ctx) {
  const { S, dom } = ctx;
  if (!S.me) return;
  dom.meName.textContent = S.me.name || S.me.email || '';
  const badge = dom.meStatus;
  badge.textContent = S.me.status || 'unknown';
  badge.setAttribute('data-status', S.me.status || '');
  badge.className = 'badge status-' + (S.me.status || 'unknown');
  const sel = dom.presence;
  if (document.activeElement !== sel && S.me.status && !S.pendingPresence) sel.value = S.me.status;
  renderOffersEmpty(ctx);
}

/**
 * The empty offers list says why it is empty: waiting for work, or not taking any.
 * @param {Ctx} ctx
 */
function renderOffersEmpty(ctx) {
  const status = (ctx.S.me && ctx.S.me.status) || '';
  ctx.dom.offersEmpty.textContent = status === 'available' ? "No offers right now — you're available"
    : status ? "No offers while you're " + status + '. Set yourself Available to get them.' : 'No offers right now';
}

/**
 * "45s", "1m 20s", "2h 05m": how long a customer has waited, at a glance.
 * @param {number} seconds
 */
export function fmtWait(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return s + 's';
  const m = Math.floor(s / 60);
  if (m < 60) return m + 'm ' + (s % 60) + 's';
  return Math.floor(m / 60) + 'h ' + String(m % 60).padStart(2, '0') + 'm';
}

/** @param {Ctx} ctx */
export function updateTitle(ctx) {
  let unread = 0;
  for (const c of ctx.S.convs.values()) unread += c.unread;
  const n = unread + ctx.S.offers.size;
  document.title = (n ? '(' + n + ') ' : '') + 'ContactHub — Agent console';
  ctx.dom.paneInboxCount.textContent = n ? String(n) : '';
}

// ---------------------------------------------------------------- offers

/** @param {Ctx} ctx */
export function renderOffers(ctx) {
  const { S, dom } = ctx;
  for (const [id, o] of S.offers) {
    if (!o.node) o.node = buildOfferCard(ctx, id, o);
    if (o.node.parentNode !== dom.offers) dom.offers.appendChild(o.node);
    updateOfferCard(o);
  }
  dom.offersEmpty.hidden = S.offers.size > 0;
  renderOffersEmpty(ctx);
  dom.offersCount.textContent = S.offers.size ? String(S.offers.size) : '';
  updateTitle(ctx);
}

/**
 * Forget an offer and take its card off the page.
 * @param {Ctx} ctx
 * @param {string} offerId
 */
export function removeOffer(ctx, offerId) {
  const o = ctx.S.offers.get(offerId);
  if (!o) return;
  if (o.node && o.node.parentNode) o.node.parentNode.removeChild(o.node);
  ctx.S.offers.delete(offerId);
}

/**
 * @param {Ctx} ctx
 * @param {string} id
 * @param {OfferState} o
 */
function buildOfferCard(ctx, id, o) {
  const f = o.frame;
  const conv = f.conversation || { id: '' };
  const preview = f.preview || conv.preview || conv.subject || '';
  return el('div', { class: 'offer-card', testid: 'offer', attrs: { 'data-offer-id': id } },
    el('div', { class: 'offer-head' },
      el('strong', { class: 'offer-customer', text: conv.customer_name || 'Customer' }),
      el('span', { class: 'offer-countdown', testid: 'offer-countdown' })),
    el('div', { class: 'offer-meta muted' },
      el('span', { text: [conv.channel, conv.queue].filter(Boolean).join(' · ') }),
      el('span', { class: 'offer-waited', testid: 'offer-waited' })),
    preview ? el('div', { class: 'offer-preview', text: preview }) : null,
    el('div', { class: 'offer-actions' },
      el('button', { class: 'primary', testid: 'offer-accept', text: 'Accept', title: 'Accept (a, top offer)',
        attrs: { type: 'button', 'data-key': 'a' }, on: { click: () => ctx.ui.decideOffer(id, true) } }),
      el('button', { testid: 'offer-reject', text: 'Reject', title: 'Reject (x, top offer)', attrs: { type: 'button', 'data-key': 'x' },
        on: { click: () => ctx.ui.decideOffer(id, false) } })));
}

/** @param {OfferState} o */
function updateOfferCard(o) {
  const node = o.node;
  if (!node) return;
  const left = Math.max(0, Math.ceil((o.deadline - performance.now()) / 1000));
  const cd = node.querySelector('.offer-countdown');
  const text = left > 0 ? left + 's' : 'expiring…';
  if (cd && cd.textContent !== text) cd.textContent = text;
  node.classList.toggle('urgent', left <= 5);
  const waited = node.querySelector('.offer-waited');
  // How long the customer has been waiting: the agent should know what declining costs.
  const since = o.waitingSince;
  const waitedText = since == null ? '' : 'waiting ' + fmtWait((performance.now() - since) / 1000);
  if (waited && waited.textContent !== waitedText) waited.textContent = waitedText;
  const disabled = o.busy || left <= 0;
  for (const b of node.querySelectorAll('button')) b.disabled = disabled;
}

/** Count the offers down (every 500 ms). @param {Ctx} ctx */
export function tickOffers(ctx) {
  for (const o of ctx.S.offers.values()) if (o.node) updateOfferCard(o);
}

// ---------------------------------------------------------------- conversation list

/** @param {Ctx} ctx */
export function renderConversationList(ctx) {
  const { S, dom } = ctx;
  const list = dom.conversations;
  clear(list);
  const items = Array.from(S.convs.values());
  // Active first, resolved at the bottom; otherwise keep arrival order so items do not jump.
  items.sort((a, b) => Number(a.conv.status === 'resolved') - Number(b.conv.status === 'resolved'));
  const shown = items.filter((c) => matchesSearch(c, S.search));
  for (const c of shown) list.appendChild(buildConversationItem(ctx, c));
  dom.conversationsEmpty.hidden = S.convs.size > 0;
  dom.searchEmpty.hidden = !(S.convs.size > 0 && shown.length === 0);
  updateTitle(ctx);
}

/**
 * @param {Ctx} ctx
 * @param {ConvState} c
 */
function buildConversationItem(ctx, c) {
  const conv = c.conv;
  const resolved = conv.status === 'resolved';
  const selected = conv.id === ctx.S.selectedId;
  return el('li', {
    class: 'conv-item' + (selected ? ' selected' : '') + (resolved ? ' resolved' : '') + (c.unread ? ' has-unread' : ''),
    testid: 'conversation-item',
    attrs: {
      'data-conversation-id': conv.id, 'data-status': conv.status || '', tabindex: '0',
      role: 'button', 'aria-current': selected ? 'true' : null,
    },
    on: {
      click: () => ctx.ui.select(conv.id),
      keydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); ctx.ui.select(conv.id); } },
    },
  },
  el('div', { class: 'conv-item-top' },
    el('span', { class: 'conv-name', text: conv.customer_name || 'Customer' }),
    c.unread ? el('span', { class: 'unread', testid: 'unread-badge', text: String(c.unread) }) : null,
    resolved ? el('span', { class: 'tag tag-resolved', text: 'resolved' }) : null,
    resolved ? el('button', {
      class: 'link-button', testid: 'conversation-dismiss', text: '×', title: 'Remove from list',
      attrs: { type: 'button', 'aria-label': 'Remove from list' },
      on: { click: (ev) => { ev.stopPropagation(); ctx.ui.dismiss(conv.id); } },
    }) : null),
  el('div', { class: 'conv-item-meta muted', text: [conv.channel, conv.queue].filter(Boolean).join(' · ') }),
  c.lastText ? el('div', { class: 'conv-item-preview', text: c.lastText }) : null);
}
