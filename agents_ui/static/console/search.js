// @ts-check
/*
 * The search box (`/` focuses it). As the agent types it filters their own conversations on
 * the page, sets the inbox's `q` filter, and asks GET /api/v1/search (debounced) for the
 * results panel: conversations and customers with their snippets, whose matching words
 * are <mark>ed (segments go in as text nodes, never as HTML). Arrows walk the results,
 * Enter or a click opens one, Escape clears the box.
 */

import { api, clear, el } from '../common.js';
import { setInboxQuery } from './inbox.js';
import { channelName } from './render-inbox.js';

/**
 * @import { Ctx } from './context.js'
 * @import { ConvState } from './state.js'
 */

/** @typedef {{ text: string, match: boolean }} Segment */
/** @typedef {{ conversation_id: string, customer_id: string, customer_name: string, channel: string, queue: string, status: string, snippet: Segment[] }} ConversationHit */
/** @typedef {{ customer_id: string, display_name: string, matched: string, snippet: Segment[] }} CustomerHit */
/** @typedef {{ conversations: ConversationHit[], customers: CustomerHit[] }} SearchAnswer */

const DEBOUNCE_MS = 200;

/**
 * Does this conversation match the query (case-insensitive, every word somewhere)?
 * @param {ConvState} c
 * @param {string} query
 */
export function matchesSearch(c, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const conv = c.conv;
  const hay = [conv.customer_name, conv.contact, conv.subject, conv.queue, conv.channel, c.lastText]
    .filter(Boolean).join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** @param {Ctx} ctx */
export function focusSearch(ctx) {
  ctx.ui.showPane('inbox');
  ctx.dom.searchInput.focus();
  ctx.dom.searchInput.select();
}

/**
 * A snippet as text nodes, its matches in <mark>.
 * @param {Segment[]} segments
 */
function snippet(segments) {
  return el('div', { class: 'hit-snippet' },
    ...(segments || []).map((s) => (s.match ? el('mark', { text: s.text }) : s.text)));
}

/**
 * @param {Ctx} ctx
 * @param {SearchAnswer} answer
 */
function renderResults(ctx, answer) {
  const box = ctx.dom.searchResults;
  clear(box);
  ctx.S.find.active = -1;
  const convs = answer.conversations || [];
  const customers = answer.customers || [];
  if (!convs.length && !customers.length) {
    box.appendChild(el('div', { class: 'hit-empty muted', testid: 'search-nothing', text: 'Nothing found' }));
  }
  if (convs.length) box.appendChild(el('div', { class: 'hit-group', text: 'Conversations' }));
  for (const h of convs) {
    box.appendChild(hit(ctx, h.conversation_id, 'conversation',
      el('div', { class: 'hit-head' },
        el('strong', { text: h.customer_name || 'Customer' }),
        el('span', { class: 'muted', text: [channelName(h.channel), h.queue, h.status].filter(Boolean).join(' · ') })),
      snippet(h.snippet)));
  }
  if (customers.length) box.appendChild(el('div', { class: 'hit-group', text: 'Customers' }));
  for (const h of customers) {
    box.appendChild(hit(ctx, h.customer_id, 'customer',
      el('div', { class: 'hit-head' }, el('strong', { text: h.display_name || 'Customer' }),
        el('span', { class: 'muted', text: h.matched === 'identity' ? 'by email or phone' : 'by name' })),
      snippet(h.snippet)));
  }
  box.hidden = false;
}

/**
 * @param {Ctx} ctx
 * @param {string} id
 * @param {'conversation' | 'customer'} kind
 * @param {...HTMLElement} children
 */
function hit(ctx, id, kind, ...children) {
  return el('div', {
    class: 'hit', testid: 'search-hit',
    attrs: { role: 'option', 'data-kind': kind, 'data-id': id, tabindex: '-1' },
    // mousedown, not click: the box's blur must not close the panel before the click lands.
    on: { mousedown: (ev) => { ev.preventDefault(); openHit(ctx, kind, id); } },
  }, ...children);
}

/**
 * A conversation opens in the thread (read-only unless ours); a customer opens their
 * newest conversation.
 * @param {Ctx} ctx
 * @param {string} kind
 * @param {string} id
 */
async function openHit(ctx, kind, id) {
  closeResults(ctx);
  if (kind === 'conversation') { ctx.ui.openPast(id); return; }
  try {
    const profile = /** @type {{ conversations: { id: string }[] }} */ (await api('GET', '/api/v1/customers/' + encodeURIComponent(id)));
    const newest = (profile.conversations || [])[0];
    if (newest) ctx.ui.openPast(newest.id);
  } catch (e) {
    ctx.apiError(e, 'Could not open the customer');
  }
}

/** @param {Ctx} ctx */
function closeResults(ctx) {
  ctx.S.find.seq += 1; // an answer still on its way is not wanted any more
  clearTimeout(ctx.S.find.timer);
  ctx.dom.searchResults.hidden = true;
}

/**
 * @param {Ctx} ctx
 * @param {string} q
 */
async function search(ctx, q) {
  const seq = ++ctx.S.find.seq;
  try {
    const answer = /** @type {SearchAnswer} */ (await api('GET', '/api/v1/search?' + new URLSearchParams({ q, limit: '8' })));
    if (seq === ctx.S.find.seq && ctx.dom.searchInput.value.trim() === q) renderResults(ctx, answer);
  } catch (e) {
    ctx.apiError(e, 'Search failed');
  }
}

/**
 * @param {Ctx} ctx
 * @param {1 | -1} step
 */
function moveActive(ctx, step) {
  const hits = Array.from(ctx.dom.searchResults.querySelectorAll('.hit'));
  if (!hits.length || ctx.dom.searchResults.hidden) return;
  const at = Math.min(hits.length - 1, Math.max(0, ctx.S.find.active + step));
  ctx.S.find.active = at;
  hits.forEach((h, i) => h.setAttribute('aria-selected', String(i === at)));
  hits[at].scrollIntoView({ block: 'nearest' });
}

/**
 * @param {Ctx} ctx
 * @param {() => void} rerender redraw the conversation list
 */
export function bindSearch(ctx, rerender) {
  const input = ctx.dom.searchInput;
  const apply = () => {
    const q = input.value.trim();
    ctx.S.search = q;
    rerender();
    clearTimeout(ctx.S.find.timer);
    if (!q) { closeResults(ctx); setInboxQuery(ctx, ''); return; }
    ctx.S.find.timer = setTimeout(() => { search(ctx, q); setInboxQuery(ctx, q); }, DEBOUNCE_MS);
  };
  input.addEventListener('input', apply);
  input.addEventListener('contacthub:clear', () => { input.value = ''; apply(); });
  input.addEventListener('blur', () => closeResults(ctx));
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      moveActive(ctx, ev.key === 'ArrowDown' ? 1 : -1);
    }
    if (ev.key !== 'Escape') return;
    input.value = '';
    apply();
  });
  ctx.dom.searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // Enter opens the result picked with the arrows, else the first of the agent's own
    // conversations that match, else the first result.
    const hits = Array.from(ctx.dom.searchResults.querySelectorAll('.hit'));
    const picked = !ctx.dom.searchResults.hidden ? hits[ctx.S.find.active] : undefined;
    const first = ctx.dom.conversations.querySelector('[data-conversation-id]');
    const mine = first instanceof HTMLElement ? first.dataset.conversationId : undefined;
    const target = picked || (!mine && !ctx.dom.searchResults.hidden ? hits[0] : undefined);
    if (target instanceof HTMLElement) { openHit(ctx, target.dataset.kind || '', target.dataset.id || ''); return; }
    if (mine) { closeResults(ctx); ctx.ui.select(mine); }
  });
}
