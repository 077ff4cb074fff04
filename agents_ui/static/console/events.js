// @ts-check
/*
 * What each frame from /ws/agent does to the console: the welcome snapshot, stream events
 * (applied once each, in event_id order, by socket.js) and the ephemeral frames.
 */

import { toast, toastError } from '../common.js';
import { dropConversation, selectConversation } from './actions.js';
import { stopTypingOut } from './composer.js';
import { renderAll, renderSelected, renderThread, renderTyping } from './render-conversation.js';
import { removeOffer, renderConversationList, renderMe, renderOffers } from './render-sidebar.js';
import { alertMention, alertOffer } from './alerts.js';
import { applyConversation } from './conv-tools.js';
import { scheduleInbox } from './inbox.js';
import { advanceDelivery, normalizeMessage } from './messages.js';
import { addNoteFrame } from './notes.js';
import { failPending, rememberAgent, resetState, upsertConversation, upsertOffer } from './state.js';
import { touchTimeline } from './timeline.js';

/**
 * @import { Ctx } from './context.js'
 * @import * as P from '../protocol.js'
 */

const CUSTOMER_TYPING_TTL_MS = 8000;
const INBOX_FRAMES = new Set(['offer', 'offer_closed', 'assigned', 'unassigned', 'message', 'status', 'note', 'mention']);

/**
 * The conversation's fields a `conversation_updated` frame changed (labels are kept apart).
 * @param {P.UpdatedFrame} f
 */
function updatedFields(f) {
  /** @type {Partial<P.Conversation>} */
  const out = {};
  const ch = f.changes || {};
  if ('priority' in ch) out.priority = ch.priority;
  if ('subject' in ch) out.subject = ch.subject;
  if ('snoozed_until' in ch) out.snoozed_until = ch.snoozed_until;
  return out;
}

// ---------------------------------------------------------------- welcome

/**
 * A welcome: who we are, and what is assigned and offered *now*.
 * @param {Ctx} ctx
 * @param {P.WelcomeFrame} f
 * @param {boolean} sameAgent
 */
export function onWelcome(ctx, f, sameAgent) {
  const { S } = ctx;
  if (!sameAgent) {
    resetState(S);
    stopTypingOut(ctx);
  }
  const agent = f.agent || { id: '' };
  S.me = agent;
  rememberAgent(S, agent.id, agent.name);
  renderMe(ctx);
  applySnapshot(ctx, f.conversations || [], f.offers || []);
}

/**
 * Replayed events that follow only ever move entities to their latest state, so applying
 * the snapshot first and the replay on top converges to the same result.
 * @param {Ctx} ctx
 * @param {P.Conversation[]} conversations
 * @param {P.OfferFields[]} offers
 */
function applySnapshot(ctx, conversations, offers) {
  const { S } = ctx;
  const live = new Set();
  for (const conv of conversations) {
    if (!conv || !conv.id) continue;
    live.add(conv.id);
    upsertConversation(S, conv);
  }
  for (const [id, c] of S.convs) {
    // Resolved ones stay visible (marked) until the agent dismisses them.
    if (!live.has(id) && c.conv.status !== 'resolved') dropConversation(ctx, id);
  }
  const liveOffers = new Set();
  for (const o of offers) {
    if (!o || !o.offer_id) continue;
    liveOffers.add(o.offer_id);
    upsertOffer(S, o);
  }
  for (const id of Array.from(S.offers.keys())) if (!liveOffers.has(id)) removeOffer(ctx, id);
}

// ---------------------------------------------------------------- stream events

/**
 * @param {Ctx} ctx
 * @param {P.StreamFrame} f
 */
export function applyEvent(ctx, f) {
  switch (f.type) {
    case 'offer': onOffer(ctx, f); break;
    case 'offer_closed': onOfferClosed(ctx, f); break;
    case 'assigned': onAssigned(ctx, f); break;
    case 'unassigned': onUnassigned(ctx, f); break;
    case 'message': onMessage(ctx, f); break;
    case 'note': onNote(ctx, f); break;
    case 'status': onStatus(ctx, f); break;
    case 'presence': onPresence(ctx, f); break;
    case 'delivery': onDelivery(ctx, f); break;
    case 'consent': onConsent(ctx, f); break;
    case 'mention': alertMention(ctx, f); break;
    case 'conversation_updated': applyConversation(ctx, f.conversation_id, updatedFields(f), f.changes.labels); break;
    default: break; // e.g. conversation_opened / transferred: only the timeline shows them
  }
  // The inbox lists these from REST: one debounced reload follows a burst of changes.
  if (INBOX_FRAMES.has(f.type)) scheduleInbox(ctx);
  touchTimeline(ctx, f);
}

/** @param {Ctx} ctx @param {P.OfferFrame} f */
function onOffer(ctx, f) {
  const me = ctx.S.me;
  if (me && f.agent_id && f.agent_id !== me.id) return;
  const isNew = !ctx.S.offers.has(f.offer_id);
  upsertOffer(ctx.S, f);
  renderOffers(ctx);
  if (isNew) alertOffer(ctx, f);
}

/** @param {Ctx} ctx @param {P.OfferClosedFrame} f */
function onOfferClosed(ctx, f) {
  removeOffer(ctx, f.offer_id);
  renderOffers(ctx);
  // A Take whose offer went unanswered or was turned down: it is the queue's again.
  if (f.conversation_id && f.outcome !== 'accepted' && ctx.S.taking.delete(f.conversation_id)) renderSelected(ctx);
}

/** @param {Ctx} ctx @param {P.NoteFrame} f */
function onNote(ctx, f) {
  const { S } = ctx;
  rememberAgent(S, f.agent_id, f.agent_name);
  const c = S.convs.get(f.conversation_id);
  if (c && addNoteFrame(c, f) && f.conversation_id === S.selectedId && !S.past) renderThread(ctx);
}

/** @param {Ctx} ctx @param {P.PresenceFrame} f */
function onPresence(ctx, f) {
  const me = ctx.S.me;
  if (!me || (f.agent_id && f.agent_id !== me.id)) return;
  const changed = me.status !== f.status;
  me.status = f.status;
  renderMe(ctx);
  if (ctx.S.past) renderSelected(ctx); // a Take's hint depends on being available
  // The hub set it (offers went unanswered): say why, and how to get offers again.
  if (f.reason && changed && f.status !== 'available') {
    toast('You were set to ' + f.status + ': ' + f.reason + '. Set yourself available to get offers again.', 'error');
  }
}

/** @param {Ctx} ctx @param {P.AssignedFrame} f */
function onAssigned(ctx, f) {
  const { S } = ctx;
  const conv = f.conversation;
  if (!conv || !conv.id) return;
  if (S.me && f.agent_id && f.agent_id !== S.me.id) {
    // Reassigned to someone else: it is no longer ours.
    if (S.convs.has(conv.id)) {
      dropConversation(ctx, conv.id);
      renderAll(ctx);
    }
    return;
  }
  upsertConversation(S, conv);
  S.taking.delete(conv.id);
  const autoOpen = S.acceptedConvIds.delete(conv.id);
  renderConversationList(ctx);
  if (autoOpen || !S.selectedId) selectConversation(ctx, conv.id);
  else if (f.via === 'reassign') toast('Conversation with ' + (conv.customer_name || 'a customer') + ' was assigned to you', 'info');
}

/** @param {Ctx} ctx @param {P.UnassignedFrame} f */
function onUnassigned(ctx, f) {
  const { S } = ctx;
  if (S.me && f.agent_id && f.agent_id !== S.me.id) return;
  const c = S.convs.get(f.conversation_id);
  if (!c) return;
  const who = c.conv.customer_name || 'a customer';
  dropConversation(ctx, f.conversation_id);
  renderAll(ctx);
  toast('Conversation with ' + who + ' was ' + (f.reason === 'reassign' ? 'reassigned' : 'transferred'), 'info');
}

/** @param {Ctx} ctx @param {P.StatusFrame} f */
function onStatus(ctx, f) {
  const { S } = ctx;
  const c = S.convs.get(f.conversation_id);
  if (!c) return;
  c.conv = Object.assign({}, c.conv, { status: f.status, snoozed_until: f.snoozed_until || null });
  if (f.status === 'resolved') {
    failPending(S, f.conversation_id);
    c.customerTyping = false;
  }
  renderConversationList(ctx);
  if (f.conversation_id === S.selectedId) renderSelected(ctx);
}

/** @param {Ctx} ctx @param {P.MessageFrame} f */
function onMessage(ctx, f) {
  const { S } = ctx;
  const c = S.convs.get(f.conversation_id);
  if (!c) return; // not (or no longer) ours
  const m = normalizeMessage(f);
  rememberAgent(S, m.agent_id, m.agent_name);
  if (m.client_id) c.pending.delete(m.client_id); // our own reply, now committed
  const key = m.message_id || '';
  const isNew = !c.messages.has(key);
  c.messages.set(key, m);
  c.lastText = m.text;
  const fromCustomer = m.author === 'customer';
  if (fromCustomer) {
    c.customerTyping = false;
    clearTimeout(c.typingTimer);
  }
  if (f.conversation_id === S.selectedId) {
    renderThread(ctx);
    renderTyping(ctx);
  } else if (fromCustomer && isNew) {
    c.unread += 1;
  }
  renderConversationList(ctx);
}

/**
 * A step on an outbound message's way: queued, sent, delivered, failed (with why).
 * @param {Ctx} ctx
 * @param {P.DeliveryFrame} f
 */
function onDelivery(ctx, f) {
  const c = ctx.S.convs.get(f.conversation_id);
  const m = c && c.messages.get(f.message_id);
  if (!m) return;
  advanceDelivery(m, f.status, f.error);
  if (f.status === 'failed') toast('A message was not delivered: ' + (f.error || 'unknown error'), 'error');
  if (f.conversation_id === ctx.S.selectedId) renderThread(ctx);
}

/** @param {Ctx} ctx @param {P.ConsentFrame} f */
function onConsent(ctx, f) {
  const c = f.conversation_id && ctx.S.convs.get(f.conversation_id);
  if (!c) return;
  c.optedOut = !!f.opted_out;
  if (f.conversation_id === ctx.S.selectedId) renderSelected(ctx);
}

// ---------------------------------------------------------------- ephemeral frames

/**
 * @param {Ctx} ctx
 * @param {P.EphemeralFrame} f
 */
export function onEphemeral(ctx, f) {
  switch (f.type) {
    case 'ack': onAck(ctx, f); break;
    case 'typing': onCustomerTyping(ctx, f); break;
    case 'error': onError(ctx, f); break;
    default: break; // pong; unknown ephemeral frames are ignored for forward compatibility
  }
}

/** @param {Ctx} ctx @param {P.AckFrame} f */
function onAck(ctx, f) {
  const { S } = ctx;
  const frame = S.outbox.get(f.client_id);
  if (!frame) return; // a duplicate ack for something already settled
  S.outbox.delete(f.client_id);
  if (frame.type === 'reply') {
    const c = S.convs.get(frame.conversation_id);
    if (!c) return;
    const p = c.pending.get(f.client_id);
    c.pending.delete(f.client_id);
    // The `message` stream event for this reply may have arrived first; then it already
    // sits in `messages` and the pending copy simply disappears.
    if (p && f.message_id && !c.messages.has(f.message_id)) {
      c.messages.set(f.message_id, Object.assign({}, p, { message_id: f.message_id, state: /** @type {const} */ ('sent') }));
    }
    if (frame.conversation_id === S.selectedId) renderThread(ctx);
  }
  // A note shows in the thread once its `note` stream event arrives.
}

/** @param {Ctx} ctx @param {P.ErrorFrame} f */
function onError(ctx, f) {
  const { S } = ctx;
  toastError(f);
  // A refused reply (opted out, resolved, ...) will not succeed by resending: show it failed.
  const frame = f.client_id ? S.outbox.get(f.client_id) : undefined;
  if (f.client_id && frame && frame.type === 'reply' && f.code !== 'unavailable' && f.code !== 'internal') {
    S.outbox.delete(f.client_id);
    const c = S.convs.get(frame.conversation_id);
    const p = c && c.pending.get(f.client_id);
    if (p) {
      p.state = 'failed';
      p.error = f.message;
      if (frame.conversation_id === S.selectedId) renderThread(ctx);
    }
  }
  // `unavailable` means storage hiccuped; nothing tells us which frame failed, so re-send
  // whatever is still unacked (idempotent by client_id).
  if (f.code === 'unavailable' && S.outbox.size && !S.unavailableRetry) {
    S.unavailableRetry = setTimeout(() => { S.unavailableRetry = null; ctx.conn.flushOutbox(); }, 3000);
  }
}

/** @param {Ctx} ctx @param {P.TypingFrame} f */
function onCustomerTyping(ctx, f) {
  const c = ctx.S.convs.get(f.conversation_id);
  if (!c) return;
  c.customerTyping = !!f.typing;
  clearTimeout(c.typingTimer);
  // A lost "typing: false" must not leave the indicator on forever.
  if (c.customerTyping) {
    c.typingTimer = setTimeout(() => { c.customerTyping = false; renderTyping(ctx); }, CUSTOMER_TYPING_TTL_MS);
  }
  if (f.conversation_id === ctx.S.selectedId) renderTyping(ctx);
}
