// @ts-check
/*
 * The customer timeline pane: who the customer is, and every interaction on every channel,
 * loaded from REST and refreshed (debounced) when a stream event concerns that customer.
 */

import { api, clear, el, fmtTime } from '../common.js';
import { addTimelineNotes } from './notes.js';
import { loadProfile } from './profile.js';
import { renderSelected, renderThread } from './render-conversation.js';
import { condense } from './timeline-rows.js';
import { describeRow, kindLabel } from './timeline-text.js';

/**
 * @import { Ctx } from './context.js'
 * @import { Customer, Identity, StreamFrame, TimelineEntry } from '../protocol.js'
 * @import { Row } from './timeline-rows.js'
 */

const TIMELINE_REFRESH_DEBOUNCE_MS = 800;

/**
 * Show this customer's timeline (null: none), emptied until it loads.
 * @param {Ctx} ctx
 * @param {string | null | undefined} customerId
 */
export function showCustomer(ctx, customerId) {
  if (ctx.S.timeline.customerId !== (customerId || null)) {
    ctx.S.profile.data = null;
    ctx.S.profile.lastMerge = null;
  }
  ctx.S.timeline.customerId = customerId || null;
  clear(ctx.dom.timeline);
  clear(ctx.dom.customerInfo);
  ctx.dom.timelineEmpty.hidden = !!customerId;
  ctx.dom.customerBox.hidden = !customerId;
  if (customerId) scheduleTimelineRefresh(ctx, 0);
}

/**
 * Refresh the open timeline when an event concerns the selected customer.
 * @param {Ctx} ctx
 * @param {StreamFrame} f
 */
export function touchTimeline(ctx, f) {
  const { S } = ctx;
  const customerId = S.timeline.customerId;
  if (!customerId) return;
  const conversation = 'conversation' in f ? f.conversation : undefined;
  const convId = ('conversation_id' in f && f.conversation_id) || (conversation && conversation.id);
  const c = convId ? S.convs.get(convId) : null;
  const offered = !!conversation && conversation.customer_id === customerId;
  if (f.customer_id === customerId || offered || (c && c.conv.customer_id === customerId)) {
    scheduleTimelineRefresh(ctx, TIMELINE_REFRESH_DEBOUNCE_MS);
  }
}

/**
 * @param {Ctx} ctx
 * @param {number} delay
 */
export function scheduleTimelineRefresh(ctx, delay) {
  clearTimeout(ctx.S.timeline.timer);
  ctx.S.timeline.timer = setTimeout(() => { loadTimeline(ctx); }, delay);
}

/** @param {Ctx} ctx */
async function loadTimeline(ctx) {
  const t = ctx.S.timeline;
  const customerId = t.customerId;
  if (!customerId) return;
  const seq = ++t.seq;
  try {
    const data = /** @type {{ customer?: Customer, entries?: TimelineEntry[] }} */ (
      await api('GET', '/api/v1/customers/' + encodeURIComponent(customerId) + '/timeline'));
    if (seq !== t.seq || customerId !== t.customerId) return;
    syncOptOut(ctx, data.customer);
    loadProfile(ctx);
    renderTimeline(ctx, data.entries || []);
    showNotes(ctx, data.entries || []);
  } catch (e) {
    ctx.apiError(e, 'Could not load the customer timeline');
  }
}

/**
 * The timeline may know of a STOP the stream did not tell us about (before we connected);
 * the profile (profile.js) shows who the customer is.
 * @param {Ctx} ctx
 * @param {Customer | undefined} cust
 */
function syncOptOut(ctx, cust) {
  const { S } = ctx;
  const c = S.selectedId ? S.convs.get(S.selectedId) : null;
  if (!cust || !c) return;
  for (const idn of cust.identities || []) {
    if (c.conv.contact === idn.address && !!idn.opted_out_at !== !!c.optedOut) {
      c.optedOut = !!idn.opted_out_at;
      renderSelected(ctx);
    }
  }
}

/**
 * One identity as the panel lists it. A web chat identity has no address to show (the hub
 * keeps only a hash of the visitor's token); an address typed into the chat widget is a
 * claim nobody proved, and says so.
 * @param {Identity} idn
 */
export function identityLabel(idn) {
  if (idn.kind === 'webchat') return 'web visitor';
  const claim = idn.verified === false ? ' (unverified)' : '';
  const out = idn.opted_out_at ? ' (opted out ' + fmtTime(idn.opted_out_at) + ')' : '';
  return idn.kind + ': ' + idn.address + claim + out;
}

/**
 * The thread shows notes inline: the timeline is where the ones written before this page
 * connected come from.
 * @param {Ctx} ctx
 * @param {TimelineEntry[]} entries
 */
function showNotes(ctx, entries) {
  const { S } = ctx;
  const shown = S.past || (S.selectedId ? S.convs.get(S.selectedId) : null);
  if (shown && addTimelineNotes(shown, entries)) renderThread(ctx);
}

/**
 * @param {Ctx} ctx
 * @param {TimelineEntry[]} entries
 */
function renderTimeline(ctx, entries) {
  const list = ctx.dom.timeline;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const frag = document.createDocumentFragment();
  let previous = null;
  for (const row of condense(entries)) {
    // The first row of each stretch of another conversation says it opens.
    frag.appendChild(buildRow(ctx, row, row.conversation_id !== previous));
    previous = row.conversation_id;
  }
  clear(list);
  list.appendChild(frag);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

/**
 * One row; a row of another conversation opens it (read-only unless it is one of ours).
 * @param {Ctx} ctx
 * @param {Row} row
 * @param {boolean} first the first row of its conversation's stretch
 */
function buildRow(ctx, row, first) {
  const { S } = ctx;
  const p = row.entries[0].payload || {};
  const convId = row.conversation_id;
  const shownId = S.past ? S.past.conv.id : S.selectedId;
  const here = !!convId && convId === shownId;
  const opens = !!convId && !here;
  const open = () => { if (convId) ctx.ui.openPast(convId); };
  return el('li', {
    class: 'tl-entry tl-' + row.kind + (here ? ' tl-current' : '') + (opens ? ' tl-past' : ''),
    testid: 'timeline-entry',
    attrs: {
      'data-kind': row.kind, 'data-kinds': row.entries.map((e) => e.kind).join(' '),
      'data-conversation-id': convId, role: opens ? 'button' : null, tabindex: opens ? '0' : null,
      title: opens ? 'Open this conversation' : null,
    },
    on: opens ? {
      click: open,
      keydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); } },
    } : {},
  },
  el('div', { class: 'tl-head' },
    el('span', { class: 'tl-kind', text: kindLabel(row.kind) }),
    p.channel ? el('span', { class: 'tag', text: p.channel }) : null,
    el('time', { class: 'tl-time', text: fmtTime(row.at), attrs: { datetime: row.at } }),
    opens && first ? el('span', { class: 'tl-open', text: 'Open ›' }) : null),
  el('div', { class: 'tl-text', text: describeRow(S, row) }));
}
