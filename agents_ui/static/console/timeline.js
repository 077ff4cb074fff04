// @ts-check
/*
 * The customer timeline pane: who the customer is, and every interaction on every channel,
 * loaded from REST and refreshed (debounced) when a stream event concerns that customer.
 */

import { api, clear, el, fmtTime } from '../common.js';
import { renderSelected } from './render-conversation.js';
import { agentLabel } from './state.js';

/**
 * @import { Ctx } from './context.js'
 * @import { Customer, Identity, StreamFrame, TimelineEntry, TimelinePayload } from '../protocol.js'
 * @import { State } from './state.js'
 */

const TIMELINE_REFRESH_DEBOUNCE_MS = 800;

/**
 * Show this customer's timeline (null: none), emptied until it loads.
 * @param {Ctx} ctx
 * @param {string | null | undefined} customerId
 */
export function showCustomer(ctx, customerId) {
  ctx.S.timeline.customerId = customerId || null;
  clear(ctx.dom.timeline);
  clear(ctx.dom.customerInfo);
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
    renderCustomer(ctx, data.customer);
    renderTimeline(ctx, data.entries || []);
  } catch (e) {
    ctx.apiError(e, 'Could not load the customer timeline');
  }
}

/**
 * @param {Ctx} ctx
 * @param {Customer | undefined} cust
 */
function renderCustomer(ctx, cust) {
  const { S } = ctx;
  const box = ctx.dom.customerInfo;
  clear(box);
  if (!cust) return;
  box.appendChild(el('div', { class: 'customer-name', text: cust.display_name || 'Customer' }));
  if (cust.email) box.appendChild(el('div', { class: 'muted', text: cust.email }));
  const c = S.selectedId ? S.convs.get(S.selectedId) : null;
  for (const idn of cust.identities || []) {
    box.appendChild(el('div', {
      class: 'muted small identity', testid: 'customer-identity', text: identityLabel(idn),
      attrs: { 'data-verified': idn.verified === false ? 'false' : 'true' },
    }));
    // The timeline may know of a STOP the stream did not tell us about (before we connected).
    if (c && c.conv.contact === idn.address && !!idn.opted_out_at !== !!c.optedOut) {
      c.optedOut = !!idn.opted_out_at;
      renderSelected(ctx);
    }
  }
  if (cust.created_at) box.appendChild(el('div', { class: 'muted small', text: 'Customer since ' + fmtTime(cust.created_at) }));
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
 * @param {Ctx} ctx
 * @param {TimelineEntry[]} entries
 */
function renderTimeline(ctx, entries) {
  const list = ctx.dom.timeline;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const frag = document.createDocumentFragment();
  for (const e of entries) {
    const p = e.payload || {};
    const here = e.conversation_id && e.conversation_id === ctx.S.selectedId;
    frag.appendChild(el('li', {
      class: 'tl-entry tl-' + e.kind + (here ? ' tl-current' : ''), testid: 'timeline-entry',
      attrs: { 'data-kind': e.kind },
    },
    el('div', { class: 'tl-head' },
      el('span', { class: 'tl-kind', text: kindLabel(e.kind) }),
      p.channel ? el('span', { class: 'tag', text: p.channel }) : null,
      el('time', { class: 'tl-time', text: fmtTime(e.at), attrs: { datetime: e.at } })),
    el('div', { class: 'tl-text', text: describeEntry(ctx.S, e.kind, p) })));
  }
  clear(list);
  list.appendChild(frag);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

/** @param {string} text */
function capitalize(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** @type {Record<string, string>} */
const KIND_LABELS = {
  conversation_opened: 'Opened', message: 'Message', offer: 'Offer', offer_closed: 'Offer closed',
  assigned: 'Assigned', unassigned: 'Unassigned', transferred: 'Transfer', unpinned: 'Back to queue', note: 'Note',
  status: 'Status', presence: 'Presence', delivery: 'Delivery', consent: 'Consent', call: 'Call',
};

/** @param {string} kind */
function kindLabel(kind) {
  return KIND_LABELS[kind] || kind;
}

/**
 * One line saying what happened, naming agents as the console knows them.
 * @param {State} S
 * @param {string} kind
 * @param {TimelinePayload} p
 */
export function describeEntry(S, kind, p) {
  /** @param {string | null | undefined} id @param {string | null} [name] */
  const agent = (id, name) => agentLabel(S, id, name);
  const conv = p.conversation || { id: '' };
  switch (kind) {
    case 'conversation_opened':
      return 'Conversation opened' + (conv.channel ? ' on ' + conv.channel : '') + (conv.queue ? ' in queue ' + conv.queue : '');
    case 'message': {
      const who = p.author === 'customer' ? 'Customer' : p.author === 'system' ? 'System' : agent(p.agent_id, p.agent_name);
      return capitalize(who) + ': ' + (p.text || '');
    }
    case 'offer':
      return 'Offered to ' + agent(p.agent_id);
    case 'offer_closed': {
      const who = agent(p.agent_id);
      const why = p.reason ? ' (' + p.reason + ')' : '';
      if (p.outcome === 'accepted') return 'Accepted by ' + who;
      if (p.outcome === 'rejected') return 'Rejected by ' + who + why;
      if (p.outcome === 'timeout') return 'Offer to ' + who + ' timed out';
      if (p.outcome === 'cancelled') return 'Offer to ' + who + ' cancelled' + why;
      return 'Offer to ' + who + ' closed' + why;
    }
    case 'assigned':
      return 'Assigned to ' + agent(p.agent_id, p.agent_name || conv.assignee_name) + (p.via === 'reassign' ? ' by a supervisor' : '');
    case 'unassigned':
      return 'Unassigned from ' + agent(p.agent_id) + (p.reason ? ' (' + p.reason + ')' : '');
    case 'transferred': {
      const to = p.to_agent_id ? agent(p.to_agent_id) : p.to_queue ? 'queue ' + p.to_queue : 'another queue';
      return 'Transferred from ' + agent(p.from_agent_id) + ' to ' + to +
        (p.by_agent_id && p.by_agent_id !== p.from_agent_id ? ' by ' + agent(p.by_agent_id) : '');
    }
    case 'unpinned':
      return 'No longer waiting for ' + agent(p.agent_id) + (p.reason ? ' (' + p.reason + ')' : '') + ': back to the queue';
    case 'note':
      return capitalize(agent(p.agent_id, p.agent_name)) + ' noted: ' + (p.text || '');
    case 'status':
      return 'Status changed to ' + (p.status || '?') + (p.agent_id ? ' by ' + agent(p.agent_id) : '');
    case 'delivery':
      return 'Reply ' + (p.status || '?') + (p.error ? ': ' + p.error : '') +
        (p.attempts && p.attempts > 1 ? ' (attempt ' + p.attempts + ')' : '');
    case 'consent':
      return (p.opted_out ? 'Opted out of ' : 'Opted back in to ') + (p.kind || '') + ' ' +
        (p.address || '') + ' (' + (p.keyword || '') + ')';
    case 'call': {
      const parts = ['Call ' + (p.status || '?')];
      if (p.agent_name || p.agent_id) parts.push('agent ' + agent(p.agent_id, p.agent_name));
      if (p.duration_seconds != null) parts.push(p.duration_seconds + ' s');
      if (p.detail) parts.push(p.detail);
      if (p.recording_url) parts.push(p.recording_url);
      return parts.join(' · ');
    }
    default:
      return kind;
  }
}
