// @ts-check
/*
 * Rendering the open conversation: header, banner, thread, typing line and the transfer
 * picker. Customer text goes in through textContent only; the one exception is an email's
 * formatted version, HTML the hub sanitized (nh3) before it was stored.
 */

import { clear, el, fmtTime } from '../common.js';
import { renderConversationList, renderOffers } from './render-sidebar.js';
import { byTime } from './messages.js';
import { readOnlyText, renderTools } from './render-tools.js';
import { renderAttachments } from './attach.js';

/**
 * @import { Ctx } from './context.js'
 * @import { Attachment } from '../protocol.js'
 * @import { Msg } from './messages.js'
 * @import { Note } from './notes.js'
 * @import { ConvState } from './state.js'
 */

/** @param {Ctx} ctx */
export function renderAll(ctx) {
  renderConversationList(ctx);
  renderOffers(ctx);
  renderSelected(ctx);
}

/**
 * The conversation the thread shows: a past one opened from the timeline, else the selected.
 * @param {Ctx} ctx
 * @returns {ConvState | null}
 */
function selected(ctx) {
  return ctx.S.past || (ctx.S.selectedId && ctx.S.convs.get(ctx.S.selectedId)) || null;
}

/** @param {Ctx} ctx */
export function renderSelected(ctx) {
  const { dom } = ctx;
  const c = selected(ctx);
  dom.noSelection.hidden = !!c;
  dom.convView.hidden = !c;
  if (!c) return;
  const conv = c.conv;
  const past = c === ctx.S.past;
  const resolved = conv.status === 'resolved' || past;
  dom.convView.dataset.readonly = past ? 'true' : 'false';
  dom.pastBar.hidden = !past;
  dom.pastText.textContent = past ? readOnlyText(ctx, c) : '';
  dom.composer.hidden = past;
  for (const control of [dom.transferTarget, dom.transferSend, dom.resolve]) control.hidden = past;
  dom.convTitle.textContent = conv.customer_name || 'Customer';
  dom.convMeta.textContent = [conv.channel, conv.contact, conv.queue, conv.status, conv.subject,
    conv.linked_to ? 'linked to ' + conv.linked_to : null].filter(Boolean).join(' · ');
  const notice = past ? '' : resolved ? 'This conversation is resolved.'
    : c.optedOut ? 'The customer opted out of texts from us (STOP). Replies are refused until they text START.' : '';
  dom.banner.hidden = !notice;
  dom.banner.textContent = notice;
  for (const control of [dom.replyInput, dom.transferTarget, dom.transferSend, dom.resolve]) control.disabled = resolved;
  const send = dom.replyForm.querySelector('button');
  if (send) send.disabled = resolved;
  renderTools(ctx, c, past);
  renderAttachments(ctx);
  dom.attach.disabled = resolved;
  renderThread(ctx);
  renderTyping(ctx);
  renderTransferTargets(ctx);
}

/** @param {Ctx} ctx */
export function renderThread(ctx) {
  const c = selected(ctx);
  const thread = ctx.dom.thread;
  if (!c) { clear(thread); return; }
  // Stick to the bottom only if the agent has not scrolled up to read history.
  const atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
  /** @type {(Msg | Note)[]} */
  const committed = [...c.messages.values(), ...c.notes.values()];
  const items = committed.sort(byTime).concat(Array.from(c.pending.values()));
  const frag = document.createDocumentFragment();
  for (const m of items) frag.appendChild('note_id' in m ? buildNote(ctx, m) : buildMessage(ctx, c, m));
  clear(thread);
  thread.appendChild(frag);
  const id = ctx.S.selectedId || '';
  if (atBottom || thread.dataset.rendered !== id) thread.scrollTop = thread.scrollHeight;
  thread.dataset.rendered = id;
}

/**
 * @param {Ctx} ctx
 * @param {ConvState} c
 * @param {Msg} m
 */
function buildMessage(ctx, c, m) {
  const me = ctx.S.me;
  const who = m.author === 'customer' ? 'customer' : m.author === 'system' ? 'system' : 'agent';
  const label = who === 'customer' ? (c.conv.customer_name || 'Customer')
    : who === 'system' ? 'System'
      : (m.agent_id && me && m.agent_id === me.id ? 'You' : (m.agent_name || 'Agent'));
  const stateText = m.state === 'pending' ? 'sending…'
    : m.state === 'failed' ? 'not sent' + (m.error ? ': ' + m.error : '')
      : deliveryText(m);
  return el('div', {
    class: 'msg msg-' + who + ' msg-' + m.state, testid: 'message',
    attrs: { 'data-state': m.state, 'data-message-id': m.message_id || null, 'data-client-id': m.client_id || null },
  },
  el('div', { class: 'msg-text', text: m.text }),
  emailParts(c, m),
  attachmentList(m.attachments),
  el('div', { class: 'msg-meta' },
    el('span', { text: label }),
    m.created_at ? el('span', { text: ' · ' + fmtTime(m.created_at) }) : null,
    stateText ? el('span', {
      class: 'msg-state' + (m.delivery_status === 'failed' || m.delivery_status === 'undelivered' ? ' msg-failed' : ''),
      testid: 'delivery', text: ' · ' + stateText,
    }) : null));
}

/**
 * An internal note, inline: only agents see it, and it must never pass for a reply.
 * @param {Ctx} ctx
 * @param {Note} n
 */
function buildNote(ctx, n) {
  const me = ctx.S.me;
  const who = n.agent_id && me && n.agent_id === me.id ? 'You' : (n.agent_name || 'An agent');
  return el('div', { class: 'msg msg-note', testid: 'note', attrs: { 'data-note-id': n.note_id } },
    el('div', { class: 'msg-note-label', text: 'Internal note' }),
    el('div', { class: 'msg-text', text: n.text }),
    el('div', { class: 'msg-meta' },
      el('span', { text: who }),
      n.created_at ? el('span', { text: ' · ' + fmtTime(n.created_at) }) : null));
}

/**
 * What an email carries beyond its new text: a parse problem, who wrote it when that is not
 * the customer, the formatted version (HTML the hub sanitized with nh3 on arrival), the
 * quoted history, and files left out for their size.
 * @param {ConvState} c
 * @param {Msg} m
 */
function emailParts(c, m) {
  const meta = m.meta || {};
  if (m.channel !== 'email' || m.direction === 'out') return null;
  const parts = [];
  if (meta.parse_error) {
    const raw = String(meta.raw || '');
    parts.push(el('div', { class: 'msg-warning', testid: 'parse-error' },
      el('span', { text: 'Could not parse fully: ' + String(meta.parse_error) + ' ' }),
      isLocalPath(raw) ? el('a', { text: 'original mail', attrs: { href: raw, target: '_blank', rel: 'noopener noreferrer' } }) : null));
  }
  if (meta.from && meta.from !== c.conv.contact) {
    const from = String(meta.from);
    parts.push(el('div', { class: 'msg-from muted', text: 'From ' + (meta.from_name ? String(meta.from_name) + ' <' + from + '>' : from) }));
  }
  if (m.html) {
    const body = el('div', { class: 'msg-html', testid: 'message-html' });
    const remote = appendInert(body, m.html);
    const details = el('details', {}, el('summary', { text: 'Formatted' }), body);
    if (remote) body.prepend(remoteImagesBar(body, remote));
    parts.push(details);
  }
  if (meta.quoted) {
    parts.push(el('details', {}, el('summary', { text: 'Quoted history' }),
      el('pre', { class: 'msg-quoted', text: String(meta.quoted) })));
  }
  const omitted = /** @type {{ name?: string, size?: number, reason?: string }[]} */ (
    Array.isArray(meta.attachments_omitted) ? meta.attachments_omitted : []);
  for (const a of omitted) {
    parts.push(el('div', { class: 'muted', text: (a.name || 'attachment') + ' (' + a.size + ' bytes) not kept: ' + (a.reason || '') }));
  }
  return parts.length ? el('div', { class: 'msg-email' }, ...parts) : null;
}

/** @param {Msg} m */
function deliveryText(m) {
  if (!m.delivery_status) return '';
  const failed = m.delivery_status === 'failed' || m.delivery_status === 'undelivered';
  return m.delivery_status + (failed && m.delivery_error ? ': ' + m.delivery_error : '');
}

/**
 * A path on the hub itself. Judged by where the browser would go, not by the first
 * character: `//host/x` is protocol-relative, and so are `/\host/x` and `/<tab>/host/x`
 * once the browser has read them.
 * @param {string} url
 */
export function isLocalPath(url) {
  if (!url.startsWith('/')) return false;
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

/**
 * Files on a message (MMS media, email parts, voicemail), as links: only http(s) URLs or our
 * own paths get an href, so a crafted URL cannot run script.
 * @param {Attachment[]} attachments
 */
function attachmentList(attachments) {
  if (!attachments || !attachments.length) return null;
  return el('ul', { class: 'msg-attachments' }, ...attachments.map((a) => {
    const url = String(a.url || '');
    const safe = /^https?:\/\//i.test(url) || isLocalPath(url);
    const label = (a.name || 'attachment') + (a.content_type ? ' (' + a.content_type + ')' : '');
    return el('li', {}, safe
      ? el('a', { text: label, attrs: { href: url, target: '_blank', rel: 'noopener noreferrer' } })
      : el('span', { text: label }));
  }));
}

/** @param {Ctx} ctx */
export function renderTyping(ctx) {
  const c = selected(ctx);
  const on = !!(c && c.customerTyping && c.conv.status !== 'resolved');
  const node = ctx.dom.typing;
  node.hidden = !on;
  if (c && on) node.textContent = (c.conv.customer_name || 'Customer') + ' is typing…';
}

/** @param {Ctx} ctx */
export function renderTransferTargets(ctx) {
  const { S } = ctx;
  const sel = ctx.dom.transferTarget;
  // Rebuilding the options closes an open dropdown; only do it when they change.
  const signature = JSON.stringify([S.me && S.me.id,
    S.directory.agents.map((a) => [a.id, a.name, a.status]), S.directory.queues.map((q) => q.name)]);
  if (sel.dataset.signature === signature) return;
  sel.dataset.signature = signature;
  const keep = sel.value;
  clear(sel);
  sel.appendChild(el('option', { text: 'Transfer to…', attrs: { value: '' } }));
  const agents = S.directory.agents.filter((a) => !S.me || a.id !== S.me.id);
  if (agents.length) {
    const g = el('optgroup', { attrs: { label: 'Agents' } });
    for (const a of agents) {
      g.appendChild(el('option', { text: a.name + ' (' + (a.status || 'unknown') + ')', attrs: { value: 'agent:' + a.id } }));
    }
    sel.appendChild(g);
  }
  const queues = S.directory.queues;
  if (queues.length) {
    const g = el('optgroup', { attrs: { label: 'Queues' } });
    for (const q of queues) g.appendChild(el('option', { text: 'Queue: ' + q.name, attrs: { value: 'queue:' + q.name } }));
    sel.appendChild(g);
  }
  if (Array.from(sel.options).some((o) => o.value === keep)) sel.value = keep;
}

/**
 * Append sanitized mail HTML without letting it fetch anything: it is parsed in an inert
 * <template>, and every remote image's address moves to data-remote-src (the hub does this
 * when it stores mail; mail stored before that is caught here). A tracking pixel must not
 * learn that, when and from where a conversation was opened.
 * @param {HTMLElement} into
 * @param {string} html
 * @returns {number} how many remote images were held back
 */
function appendInert(into, html) {
  const template = document.createElement('template');
  // eslint-disable-next-line no-restricted-syntax -- sanitized by the hub (nh3); a template is inert
  template.innerHTML = html;
  let remote = 0;
  for (const img of template.content.querySelectorAll('img')) {
    const src = img.getAttribute('src') || '';
    if (isRemote(src)) {
      img.setAttribute('data-remote-src', src);
      img.removeAttribute('src');
    }
    img.removeAttribute('srcset');
    if (img.hasAttribute('data-remote-src')) remote += 1;
  }
  into.appendChild(template.content);
  return remote;
}

/** @param {string} url */
function isRemote(url) {
  return /^(https?:)?\/\//i.test(url.trim());
}

/**
 * "Remote images blocked — Load": loads them on purpose, sending no Referer.
 * @param {HTMLElement} body
 * @param {number} count
 */
function remoteImagesBar(body, count) {
  const bar = el('div', { class: 'msg-remote', testid: 'remote-images' },
    el('span', { text: count + (count === 1 ? ' remote image' : ' remote images') + ' blocked ' }));
  const load = el('button', { class: 'link-button', testid: 'remote-images-load', text: 'Load', attrs: { type: 'button' } });
  load.addEventListener('click', () => {
    for (const img of body.querySelectorAll('img[data-remote-src]')) {
      const src = img.getAttribute('data-remote-src') || '';
      if (!isRemote(src) || !(img instanceof HTMLImageElement)) continue;
      img.referrerPolicy = 'no-referrer';
      img.src = src.startsWith('//') ? 'https:' + src : src;
      img.removeAttribute('data-remote-src');
    }
    bar.remove();
  });
  bar.appendChild(load);
  return bar;
}
