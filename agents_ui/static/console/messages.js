// @ts-check
/* Messages as the thread shows them, from REST or the stream, and their delivery steps. */

import { timeValue } from '../common.js';

/** @import { Attachment, RawMessage } from '../protocol.js' */

/**
 * A message as the thread shows it.
 * @typedef {object} Msg
 * @property {string | null} message_id
 * @property {string | null} client_id
 * @property {string} author customer | agent | system
 * @property {string | null} direction
 * @property {string | null} agent_id
 * @property {string | null} agent_name
 * @property {string | null} channel
 * @property {string} text
 * @property {string | null} created_at
 * @property {Attachment[]} attachments
 * @property {string | null} delivery_status
 * @property {string | null} delivery_error
 * @property {string | null} html
 * @property {Record<string, unknown>} meta
 * @property {'sent' | 'pending' | 'failed'} state
 * @property {string} [error] why a reply was refused
 */

/**
 * @param {RawMessage} m from REST (`id`) or the stream (`message_id`)
 * @returns {Msg}
 */
export function normalizeMessage(m) {
  return {
    message_id: m.message_id || m.id || null,
    client_id: m.client_id || null,
    author: m.author || (m.direction === 'in' ? 'customer' : 'agent'),
    direction: m.direction || null,
    agent_id: m.agent_id || null,
    agent_name: m.agent_name || null,
    channel: m.channel || null,
    text: m.text == null ? '' : String(m.text),
    created_at: m.created_at || null,
    attachments: Array.isArray(m.attachments) ? m.attachments : [],
    delivery_status: m.delivery_status || null,
    delivery_error: m.delivery_error || null,
    html: typeof m.html === 'string' ? m.html : null,
    meta: m.meta && typeof m.meta === 'object' ? m.meta : {},
    state: 'sent',
  };
}

/** @type {Record<string, number>} */
const DELIVERY_ORDER = { queued: 0, sending: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3, read: 4 };

/**
 * Take a delivery step unless the message is already further along.
 * @param {Msg} m
 * @param {string} status
 * @param {string | null | undefined} error
 */
export function advanceDelivery(m, status, error) {
  if (!m.delivery_status || DELIVERY_ORDER[status] >= DELIVERY_ORDER[m.delivery_status]) {
    m.delivery_status = status;
    m.delivery_error = error || null;
  }
}

/**
 * What REST says of a message we already hold, after the stream missed events: its
 * delivery status, when further along (a tie keeps what the stream said, which may be newer).
 * @param {Msg} known
 * @param {Msg} fetched
 */
export function catchUpDelivery(known, fetched) {
  const status = fetched.delivery_status;
  if (!status) return;
  if (!known.delivery_status || DELIVERY_ORDER[status] > DELIVERY_ORDER[known.delivery_status]) {
    known.delivery_status = status;
    known.delivery_error = fetched.delivery_error;
  }
}

/**
 * Oldest first: messages and notes alike.
 * @param {{ created_at: string | null }} a
 * @param {{ created_at: string | null }} b
 */
export function byTime(a, b) {
  return timeValue(a.created_at) - timeValue(b.created_at);
}
