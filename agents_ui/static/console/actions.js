// @ts-check
/*
 * What the agent does outside the composer: open a conversation (and load it from REST),
 * accept or reject an offer, set presence, resolve, transfer.
 */

import { api, toast } from '../common.js';
import { setComposerMode, stopTypingOut } from './composer.js';
import { renderAll, renderSelected, renderTransferTargets } from './render-conversation.js';
import { renderConversationList, renderOffers } from './render-sidebar.js';
import { renderFilterOptions } from './render-inbox.js';
import { byTime, catchUpDelivery, normalizeMessage } from './messages.js';
import { failPending, rememberAgent } from './state.js';
import { showCustomer } from './timeline.js';

/**
 * @import { Ctx } from './context.js'
 * @import { Conversation, RawMessage } from '../protocol.js'
 * @import { DirectoryAgent, DirectoryQueue } from './state.js'
 */

const DIRECTORY_TTL_MS = 30000;

// ---------------------------------------------------------------- selection

/**
 * @param {Ctx} ctx
 * @param {string} id
 */
export function selectConversation(ctx, id) {
  const { S, dom } = ctx;
  const c = S.convs.get(id);
  if (!c) return;
  if (S.selectedId !== id) {
    stopTypingOut(ctx);
    // Keep unsent drafts per conversation so switching never loses text.
    const prev = S.selectedId && S.convs.get(S.selectedId);
    if (prev) prev.draft = dom.replyInput.value;
    dom.replyInput.value = c.draft || '';
  }
  S.selectedId = id;
  S.past = null;
  c.unread = 0;
  ctx.ui.showPane('thread');
  renderAll(ctx);
  loadConversation(ctx, id);
  showCustomer(ctx, c.conv.customer_id);
  loadDirectory(ctx, false);
  setTimeout(() => setComposerMode(ctx, 'reply', true), 0);
}

/** @param {Ctx} ctx */
export function deselect(ctx) {
  stopTypingOut(ctx);
  ctx.S.selectedId = null;
  ctx.S.past = null;
  showCustomer(ctx, null);
  renderSelected(ctx);
}

/**
 * Forget a conversation that is no longer ours.
 * @param {Ctx} ctx
 * @param {string} id
 */
export function dropConversation(ctx, id) {
  const { S } = ctx;
  const c = S.convs.get(id);
  if (!c) return;
  clearTimeout(c.typingTimer);
  failPending(S, id);
  S.convs.delete(id);
  if (S.selectedId === id) deselect(ctx);
}

/**
 * Remove a resolved conversation from the list.
 * @param {Ctx} ctx
 * @param {string} id
 */
export function dismissConversation(ctx, id) {
  dropConversation(ctx, id);
  renderAll(ctx);
}

/**
 * Merge the REST history into the live store (live frames may already be there). After a
 * reload (`stale`) the stream missed some events, so REST also brings the delivery status
 * of messages we already had up to date.
 * @param {Ctx} ctx
 * @param {string} id
 */
export async function loadConversation(ctx, id) {
  const { S } = ctx;
  const seq = ++S.selectSeq;
  try {
    const data = /** @type {{ conversation?: Conversation, messages?: RawMessage[] }} */ (
      await api('GET', '/api/v1/conversations/' + encodeURIComponent(id)));
    const c = S.convs.get(id);
    if (!c || seq !== S.selectSeq) return;
    const refresh = !!c.stale;
    c.stale = false;
    if (data.conversation) {
      // The stream is authoritative for status/assignee; REST only fills gaps.
      c.conv = Object.assign({}, data.conversation, c.conv);
    }
    for (const raw of data.messages || []) {
      const m = normalizeMessage(raw);
      if (!m.message_id) continue;
      const known = c.messages.get(m.message_id);
      if (known) {
        if (refresh) catchUpDelivery(known, m);
        continue;
      }
      c.messages.set(m.message_id, m);
      rememberAgent(S, m.agent_id, m.agent_name);
    }
    const last = Array.from(c.messages.values()).sort(byTime).pop();
    if (last) c.lastText = last.text;
    if (id === S.selectedId) { renderSelected(ctx); renderConversationList(ctx); }
  } catch (e) {
    ctx.apiError(e, 'Could not load the conversation');
  }
}

// ---------------------------------------------------------------- offers and presence

/**
 * @param {Ctx} ctx
 * @param {string} offerId
 * @param {boolean} accept
 */
export function decideOffer(ctx, offerId, accept) {
  const o = ctx.S.offers.get(offerId);
  if (!o || o.busy) return;
  const frame = accept ? { type: 'accept', offer_id: offerId } : { type: 'reject', offer_id: offerId };
  if (!ctx.conn.sendOrWarn(frame)) return;
  if (accept && o.frame.conversation) ctx.S.acceptedConvIds.add(o.frame.conversation.id);
  // Block double clicks until the server closes the offer; unblock if it never does (e.g.
  // the answer was an error we cannot attribute).
  o.busy = true;
  setTimeout(() => { o.busy = false; renderOffers(ctx); }, 5000);
  renderOffers(ctx);
}

/** @param {Ctx} ctx */
export function onPresenceChange(ctx) {
  const { S, dom } = ctx;
  const status = dom.presence.value;
  if (!ctx.conn.send({ type: 'presence', status })) {
    // Keep the agent's choice and apply it as soon as we are connected again.
    S.pendingPresence = status;
    toast('Offline - your status will be set to ' + status + ' once reconnected', 'info');
  } else {
    S.pendingPresence = null;
  }
  dom.presence.blur();
}

/** @param {Ctx} ctx */
export function flushPresence(ctx) {
  const { S } = ctx;
  if (S.pendingPresence && ctx.conn.send({ type: 'presence', status: S.pendingPresence })) {
    S.pendingPresence = null;
  }
}

// ---------------------------------------------------------------- resolve and transfer

/** @param {Ctx} ctx */
export function onResolve(ctx) {
  const id = ctx.S.selectedId;
  const c = id ? ctx.S.convs.get(id) : null;
  if (!id || !c || ctx.S.past || c.conv.status === 'resolved') return;
  if (ctx.conn.sendOrWarn({ type: 'resolve', conversation_id: id })) {
    ctx.dom.resolve.disabled = true;
    setTimeout(() => renderSelected(ctx), 5000);
  }
}

/**
 * The agents and queues a conversation can be transferred to, cached for a while.
 * @param {Ctx} ctx
 * @param {boolean} force
 */
export async function loadDirectory(ctx, force) {
  const { S } = ctx;
  const d = S.directory;
  if (!force && Date.now() - d.loadedAt < DIRECTORY_TTL_MS) { renderTransferTargets(ctx); return; }
  d.loadedAt = Date.now();
  try {
    const [agents, queues] = /** @type {[{ agents?: DirectoryAgent[] } | null, { queues?: DirectoryQueue[] } | null]} */ (
      await Promise.all([api('GET', '/api/v1/agents'), api('GET', '/api/v1/queues')]));
    const all = (agents && agents.agents) || [];
    d.queues = (queues && queues.queues) || [];
    for (const a of all) rememberAgent(S, a.id, a.name);
    d.agents = all.filter((a) => !a.disabled); // a disabled agent can be handed nothing
    renderTransferTargets(ctx);
    renderFilterOptions(ctx);
    renderSelected(ctx);
  } catch (e) {
    d.loadedAt = 0;
    ctx.apiError(e, 'Could not load agents and queues');
  }
}

/** @param {Ctx} ctx */
export function onTransfer(ctx) {
  const id = ctx.S.selectedId;
  const value = ctx.dom.transferTarget.value;
  if (!id || !value) { toast('Pick an agent or a queue to transfer to', 'info'); return; }
  const sep = value.indexOf(':');
  const kind = value.slice(0, sep);
  const target = value.slice(sep + 1);
  /** @type {{ type: 'transfer', conversation_id: string, to_agent_id?: string, to_queue?: string }} */
  const frame = { type: 'transfer', conversation_id: id };
  if (kind === 'agent') frame.to_agent_id = target;
  else frame.to_queue = target;
  if (ctx.conn.sendOrWarn(frame)) ctx.dom.transferTarget.value = '';
}
