// @ts-check
/*
 * The timeline, condensed: one routing step (the offer, its outcome and the assignment that
 * followed an accept) reads as one row, "Offered to Ann · accepted · assigned", instead of
 * three. Pure: entries in, rows out.
 */

/** @import { TimelineEntry } from '../protocol.js' */

/**
 * @typedef {object} Row
 * @property {string} kind an entry's kind, or `routing` for a condensed routing step
 * @property {string} at when the row's first entry happened
 * @property {string | null} conversation_id
 * @property {TimelineEntry[]} entries in order; one unless kind is `routing`
 */

/**
 * @param {string | null | undefined} conversationId
 * @param {string | null | undefined} agentId
 */
function assignKey(conversationId, agentId) {
  return (conversationId || '') + '|' + (agentId || '');
}

/**
 * @param {TimelineEntry[]} entries oldest first
 * @returns {Row[]}
 */
export function condense(entries) {
  /** @type {Row[]} */
  const rows = [];
  /** @type {Map<string, Row>} offer_id -> its routing row, until the offer closes */
  const open = new Map();
  /** @type {Map<string, Row>} conversation|agent -> an accepted offer's row, until assigned */
  const accepted = new Map();
  for (const e of entries) {
    const p = e.payload || {};
    const offerId = p.offer_id || '';
    const conversationId = e.conversation_id || null;
    if (e.kind === 'offer' && offerId) {
      const row = { kind: 'routing', at: e.at, conversation_id: conversationId, entries: [e] };
      rows.push(row);
      open.set(offerId, row);
      continue;
    }
    const row = e.kind === 'offer_closed' ? open.get(offerId) : undefined;
    if (row) {
      row.entries.push(e);
      open.delete(offerId);
      if (p.outcome === 'accepted') accepted.set(assignKey(conversationId, p.agent_id), row);
      continue;
    }
    const key = assignKey(conversationId, p.agent_id);
    const step = e.kind === 'assigned' && p.via !== 'reassign' ? accepted.get(key) : undefined;
    if (step) {
      step.entries.push(e);
      accepted.delete(key);
      continue;
    }
    rows.push({ kind: e.kind, at: e.at, conversation_id: conversationId, entries: [e] });
  }
  return rows;
}
