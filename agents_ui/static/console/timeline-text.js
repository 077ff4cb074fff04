// @ts-check
/* What a timeline row says: one line per entry, naming agents as the console knows them. */

import { agentLabel } from './state.js';

/**
 * @import { TimelinePayload } from '../protocol.js'
 * @import { State } from './state.js'
 * @import { Row } from './timeline-rows.js'
 */

/** @param {string} text */
function capitalize(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** @type {Record<string, string>} */
const KIND_LABELS = {
  conversation_opened: 'Opened', message: 'Message', offer: 'Offer', offer_closed: 'Offer closed',
  assigned: 'Assigned', unassigned: 'Unassigned', transferred: 'Transfer', unpinned: 'Back to queue', note: 'Note',
  routing: 'Routing', status: 'Status', presence: 'Presence', delivery: 'Delivery', consent: 'Consent', call: 'Call',
  conversation_updated: 'Edited', customers_merged: 'Merged', customers_unmerged: 'Unmerged',
};

/** @param {unknown} value */
function shown(value) {
  if (value == null || value === '') return 'none';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  return String(value);
}

/** @param {number | undefined} n @param {string} one @param {string} many */
function count(n, one, many) {
  return (n || 0) + ' ' + (n === 1 ? one : many);
}

/** @param {string} kind */
export function kindLabel(kind) {
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
      return 'Status changed to ' + (p.status || '?') +
        (p.status === 'snoozed' && p.snoozed_until ? ' until ' + new Date(p.snoozed_until).toLocaleString() : '') +
        (p.agent_id ? ' by ' + agent(p.agent_id) : '');
    case 'conversation_updated': {
      const changes = Object.entries(p.changes || {}).map(([field, value]) =>
        field.replace('_', ' ') + ' ' + shown(field === 'snoozed_until' && value ? new Date(String(value)).toLocaleString() : value));
      return capitalize(agent(p.agent_id)) + ' set ' + (changes.join('; ') || 'nothing');
    }
    case 'customers_merged':
      return 'Customers merged' + (p.by_agent_id ? ' by ' + agent(p.by_agent_id) : '') + ': ' +
        count(p.identities, 'identity', 'identities') + ' and ' +
        count(p.conversations, 'conversation', 'conversations') + ' moved';
    case 'customers_unmerged':
      return 'Merge undone' + (p.by_agent_id ? ' by ' + agent(p.by_agent_id) : '') + ': everything that moved is back';
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

/** @type {Record<string, string>} */
const OUTCOMES = { accepted: 'accepted', rejected: 'rejected', timeout: 'timed out', cancelled: 'cancelled' };

/**
 * How an offer ended; the reason only where it says more than the outcome (a rejection's).
 * @param {TimelinePayload} p
 */
function outcomeText(p) {
  const outcome = p.outcome || '';
  const why = p.reason && (outcome === 'rejected' || outcome === 'cancelled') ? ' (' + p.reason + ')' : '';
  return (OUTCOMES[outcome] || 'closed') + why;
}

/**
 * A row's line: a condensed routing step says each of its steps in turn.
 * @param {State} S
 * @param {Row} row
 */
export function describeRow(S, row) {
  if (row.kind !== 'routing') return describeEntry(S, row.kind, row.entries[0].payload || {});
  const parts = [];
  for (const e of row.entries) {
    const p = e.payload || {};
    if (e.kind === 'offer') parts.push(describeEntry(S, 'offer', p));
    else if (e.kind === 'offer_closed') parts.push(outcomeText(p));
    else if (e.kind === 'assigned') parts.push('assigned');
  }
  return parts.join(' · ');
}
