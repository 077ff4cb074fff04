// @ts-check
/*
 * The composer: replies and private notes (queued in the outbox until acked, re-sent after
 * every reconnect: the server dedupes by client_id), and the agent's typing indicator.
 */

import { api, toast, uuid } from '../common.js';
import { takeAttachments } from './attach.js';
import { renderThread } from './render-conversation.js';

/**
 * @import { Ctx } from './context.js'
 * @import { NoteRequest, ReplyFrame } from '../protocol.js'
 */

const TYPING_SEND_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;

/**
 * @param {Ctx} ctx
 * @param {SubmitEvent} ev
 */
export function onReplySubmit(ctx, ev) {
  ev.preventDefault();
  const { S, dom } = ctx;
  const text = dom.replyInput.value.trim();
  const c = S.selectedId ? S.convs.get(S.selectedId) : null;
  if (!text || !c || c.conv.status === 'resolved') return;
  const clientId = uuid();
  const { refs, files } = takeAttachments(ctx, c.conv.id);
  /** @type {ReplyFrame} */
  const frame = { type: 'reply', conversation_id: c.conv.id, client_id: clientId, text };
  if (refs.length) frame.attachments = refs;
  c.pending.set(clientId, {
    message_id: null, client_id: clientId, author: 'agent', direction: 'out',
    agent_id: S.me && S.me.id, agent_name: (S.me && S.me.name) || null, channel: null,
    text, created_at: new Date().toISOString(), attachments: files, delivery_status: null,
    delivery_error: null, html: null, meta: {}, state: 'pending',
  });
  // Queued until acked: if the socket is down now it goes out after reconnect.
  S.outbox.set(clientId, frame);
  if (!S.resume) ctx.conn.send(frame);
  dom.replyInput.value = '';
  c.draft = '';
  stopTypingOut(ctx);
  renderThread(ctx);
  dom.thread.scrollTop = dom.thread.scrollHeight;
}

/**
 * Enter sends, Shift+Enter is a new line.
 * @param {Ctx} ctx
 * @param {KeyboardEvent} ev
 */
export function onReplyKeydown(ctx, ev) {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    ctx.dom.replyForm.requestSubmit();
  }
}

/** @param {Ctx} ctx */
export function onReplyInput(ctx) {
  const id = ctx.S.selectedId;
  if (!id) return;
  const t = ctx.S.typingOut;
  if (t.convId !== id) stopTypingOut(ctx);
  const now = Date.now();
  if (t.convId !== id || now - t.lastSent > TYPING_SEND_EVERY_MS) {
    if (ctx.conn.send({ type: 'typing', conversation_id: id, typing: true })) {
      t.convId = id;
      t.lastSent = now;
    }
  }
  clearTimeout(t.idleTimer);
  t.idleTimer = setTimeout(() => stopTypingOut(ctx), TYPING_IDLE_MS);
}

/** @param {Ctx} ctx */
export function stopTypingOut(ctx) {
  const t = ctx.S.typingOut;
  clearTimeout(t.idleTimer);
  if (t.convId) ctx.conn.send({ type: 'typing', conversation_id: t.convId, typing: false });
  t.convId = null;
  t.lastSent = 0;
}

/**
 * Reply to the customer or write an internal note: one composer, two modes.
 * @param {Ctx} ctx
 * @param {'reply' | 'note'} mode
 * @param {boolean} focus
 */
export function setComposerMode(ctx, mode, focus) {
  const { dom } = ctx;
  dom.composer.dataset.mode = mode;
  dom.modeReply.setAttribute('aria-selected', String(mode === 'reply'));
  dom.modeNote.setAttribute('aria-selected', String(mode === 'note'));
  if (mode === 'note') stopTypingOut(ctx);
  const input = mode === 'note' ? dom.noteInput : dom.replyInput;
  if (focus && !input.disabled) input.focus();
}

/**
 * Enter saves the note, Shift+Enter is a new line.
 * @param {Ctx} ctx
 * @param {KeyboardEvent} ev
 */
export function onNoteKeydown(ctx, ev) {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    ctx.dom.noteForm.requestSubmit();
  }
}

/**
 * @param {Ctx} ctx
 * @param {SubmitEvent} ev
 */
export function onNoteSubmit(ctx, ev) {
  ev.preventDefault();
  const { S, dom } = ctx;
  const text = dom.noteInput.value.trim();
  if (!text || !S.selectedId) return;
  if (text.includes('@')) { noteByRest(ctx, S.selectedId, text); return; }
  const clientId = uuid();
  /** @type {NoteRequest} */
  const frame = { type: 'note', conversation_id: S.selectedId, text, client_id: clientId };
  S.outbox.set(clientId, frame);
  if (!S.resume && !ctx.conn.send(frame)) toast('Offline — the note will be saved once reconnected', 'info');
  dom.noteInput.value = '';
}

/**
 * A note that may name colleagues goes by REST, where the hub reads its `@Name`s and tells
 * each one (the socket's `note` frame does not look for mentions). It shows in the thread
 * when its `note` stream event arrives, as any note.
 * @param {Ctx} ctx
 * @param {string} id
 * @param {string} text
 */
async function noteByRest(ctx, id, text) {
  const input = ctx.dom.noteInput;
  input.value = '';
  try {
    const answer = /** @type {{ mentions: string[] }} */ (
      await api('POST', '/api/v1/conversations/' + encodeURIComponent(id) + '/notes', { text }));
    const n = (answer.mentions || []).length;
    if (n) toast('Note saved; ' + n + (n === 1 ? ' colleague' : ' colleagues') + ' notified', 'info');
  } catch (e) {
    if (!input.value) input.value = text; // keep the agent's words to try again
    ctx.apiError(e, 'Could not save the note');
  }
}
