// @ts-check
/*
 * The customer panel's 360° profile (GET /api/v1/customers/{id}): the name, edited inline;
 * every identity on every channel; custom attributes and labels, edited in place (PATCH);
 * every conversation, each opening read-only (past.js). Merging lives in merge.js.
 * A refresh waits while an editor is open, so a stream event never wipes what is typed.
 */

import { api, clear, el, fmtTime } from '../common.js';
import { mergeControls } from './merge.js';
import { identityLabel } from './timeline.js';

/**
 * @import { Ctx } from './context.js'
 * @import { CustomerProfile, CustomerConversation } from '../protocol.js'
 */

/**
 * Load and show the profile of the customer the timeline shows.
 * @param {Ctx} ctx
 */
export async function loadProfile(ctx) {
  const P = ctx.S.profile;
  const id = ctx.S.timeline.customerId;
  if (!id || P.editing > 0 || typedLabel(ctx) !== null) return;
  const seq = ++P.seq;
  try {
    const data = /** @type {CustomerProfile} */ (
      await api('GET', '/api/v1/customers/' + encodeURIComponent(id)));
    if (seq !== P.seq || id !== ctx.S.timeline.customerId || P.editing > 0) return;
    if (typedLabel(ctx) !== null) return;
    if (P.lastMerge && P.lastMerge.merge.survivor_id !== id) P.lastMerge = null;
    P.data = data;
    renderProfile(ctx);
  } catch (e) {
    ctx.apiError(e, 'Could not load the customer profile');
  }
}

/**
 * PATCH the customer and show the answer.
 * @param {Ctx} ctx
 * @param {Record<string, unknown>} changes
 * @returns {Promise<boolean>}
 */
async function patch(ctx, changes) {
  const P = ctx.S.profile;
  if (!P.data) return false;
  try {
    P.data = /** @type {CustomerProfile} */ (await api('PATCH',
      '/api/v1/customers/' + encodeURIComponent(P.data.customer.id), changes));
    return true;
  } catch (e) {
    ctx.apiError(e, 'Could not save the customer');
    return false;
  }
}

/**
 * What the agent is typing into the label box, if it has the focus: a redraw (another
 * edit saved, the stream's refresh) must not wipe it.
 * @param {Ctx} ctx
 */
function typedLabel(ctx) {
  const active = document.activeElement;
  if (!(active instanceof HTMLInputElement) || !ctx.dom.customerInfo.contains(active)) return null;
  return active.dataset.testid === 'customer-label-input' ? active.value : null;
}

/** @param {Ctx} ctx */
export function renderProfile(ctx) {
  const box = ctx.dom.customerInfo;
  const data = ctx.S.profile.data;
  const typing = typedLabel(ctx);
  clear(box);
  if (!data) return;
  const cust = data.customer;
  const parts = [
    nameRow(ctx, cust.display_name || 'Customer'),
    el('ul', { class: 'identity-list', testid: 'customer-identities' },
      ...(cust.identities || []).map((idn) => el('li', {
        class: 'identity', testid: 'customer-identity', text: identityLabel(idn),
        attrs: {
          'data-kind': idn.kind, 'data-verified': idn.verified === false ? 'false' : 'true',
          'data-opted-out': !!idn.opted_out_at,
        },
      }))),
    cust.created_at ? el('div', { class: 'muted small', text: 'Customer since ' + fmtTime(cust.created_at) }) : null,
    section('Attributes', attributes(ctx, data.attributes || {})),
    section('Labels', labels(ctx, data.labels || [])),
    section('Conversations', conversations(ctx, data.conversations || [])),
    mergeControls(ctx),
  ];
  for (const part of parts) if (part) box.appendChild(part);
  const field = box.querySelector('[data-testid="customer-label-input"]');
  if (typing !== null && field instanceof HTMLInputElement) {
    field.value = typing;
    field.focus();
  }
}

/** @param {string} title @param {HTMLElement} body */
function section(title, body) {
  return el('section', { class: 'profile-section' }, el('h3', { text: title }), body);
}

/**
 * An inline editor: shown in place of `view`, counted open until saved or cancelled.
 * @param {Ctx} ctx
 * @param {HTMLElement} host where the editor replaces the content
 * @param {HTMLInputElement[]} inputs
 * @param {() => Promise<boolean>} save
 * @param {string} testid
 */
function openEditor(ctx, host, inputs, save, testid) {
  const P = ctx.S.profile;
  P.editing += 1;
  let open = true;
  const close = (/** @type {boolean} */ reload) => {
    if (!open) return;
    open = false;
    P.editing -= 1;
    if (reload) renderProfile(ctx);
    else loadProfile(ctx);
  };
  const form = el('form', { class: 'inline-edit', testid },
    ...inputs,
    el('button', { class: 'small-button primary', text: 'Save', testid: testid + '-save', attrs: { type: 'submit' } }),
    el('button', {
      class: 'small-button ghost', text: 'Cancel', testid: testid + '-cancel', attrs: { type: 'button' },
      on: { click: () => close(false) },
    }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (await save()) close(true);
  });
  form.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { ev.stopPropagation(); close(false); } });
  clear(host);
  host.appendChild(form);
  inputs[0].focus();
}

/**
 * @param {string} value
 * @param {string} label
 * @param {string} testid
 * @param {string} [placeholder]
 */
function input(value, label, testid, placeholder) {
  const node = el('input', { testid, attrs: { 'aria-label': label, placeholder: placeholder || null, autocomplete: 'off' } });
  node.value = value;
  return node;
}

/** @param {Ctx} ctx @param {string} name */
function nameRow(ctx, name) {
  const row = el('div', { class: 'customer-name-row' });
  const edit = () => {
    const field = input(name, 'Customer name', 'customer-name-input');
    openEditor(ctx, row, [field], () => patch(ctx, { display_name: field.value.trim() }), 'customer-name-edit');
  };
  row.append(
    el('div', { class: 'customer-name', testid: 'customer-name', text: name }),
    el('button', {
      class: 'link-button', text: 'Edit', testid: 'customer-name-edit-open',
      attrs: { type: 'button', 'aria-label': 'Edit the name' }, on: { click: edit },
    }));
  return row;
}

/** @param {unknown} v */
function shown(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * A typed value keeps its type when the text still parses as one (3, true); else a string.
 * @param {string} text
 * @param {unknown} before
 */
function typed(text, before) {
  if (typeof before === 'string' || before === undefined) return text;
  try { return JSON.parse(text); } catch { return text; }
}

/** @param {Ctx} ctx @param {Record<string, unknown>} attrs */
function attributes(ctx, attrs) {
  const box = el('div', { class: 'attributes', testid: 'customer-attributes' });
  const keys = Object.keys(attrs).sort();
  const list = el('dl', { class: 'attr-list' });
  /** @param {Record<string, unknown>} next */
  const save = (next) => patch(ctx, { attributes: next });
  for (const key of keys) {
    const row = el('div', { class: 'attr-row', testid: 'customer-attribute', attrs: { 'data-key': key } });
    const edit = () => {
      const field = input(shown(attrs[key]), key, 'attribute-value-input');
      openEditor(ctx, row, [field], () => save({ ...attrs, [key]: typed(field.value, attrs[key]) }), 'attribute-edit');
    };
    const remove = () => {
      const next = { ...attrs };
      delete next[key];
      save(next).then((ok) => { if (ok) renderProfile(ctx); });
    };
    row.append(el('dt', { text: key }), el('dd', { text: shown(attrs[key]) }),
      el('span', { class: 'attr-actions' },
        el('button', { class: 'link-button', text: 'Edit', testid: 'attribute-edit-open', attrs: { type: 'button', 'aria-label': 'Edit ' + key }, on: { click: edit } }),
        el('button', { class: 'link-button', text: 'Remove', testid: 'attribute-remove', attrs: { type: 'button', 'aria-label': 'Remove ' + key }, on: { click: remove } })));
    list.appendChild(row);
  }
  if (keys.length) box.appendChild(list);
  else box.appendChild(el('p', { class: 'empty', text: 'No attributes yet.' }));
  const adder = el('div', { class: 'attr-add' });
  const add = () => {
    const k = input('', 'Attribute name', 'attribute-key-input', 'name (plan)');
    const v = input('', 'Attribute value', 'attribute-value-input', 'value (gold)');
    openEditor(ctx, adder, [k, v], () => save({ ...attrs, [k.value.trim()]: v.value }), 'attribute-add');
  };
  adder.appendChild(el('button', { class: 'small-button', text: '+ Add attribute', testid: 'attribute-add-open', attrs: { type: 'button' }, on: { click: add } }));
  box.appendChild(adder);
  return box;
}

/** @param {Ctx} ctx @param {string[]} current */
function labels(ctx, current) {
  const box = el('div', { class: 'label-chips', testid: 'customer-labels' });
  for (const name of current) {
    box.appendChild(el('span', { class: 'chip', testid: 'customer-label', attrs: { 'data-label': name } },
      name,
      el('button', {
        class: 'chip-remove', text: '×', testid: 'customer-label-remove',
        attrs: { type: 'button', 'aria-label': 'Remove the label ' + name },
        on: { click: () => { patch(ctx, { labels: current.filter((l) => l !== name) }).then((ok) => { if (ok) renderProfile(ctx); }); } },
      })));
  }
  const field = input('', 'Add a label', 'customer-label-input', '+ label');
  field.className = 'chip-input';
  field.addEventListener('keydown', (ev) => {
    const name = field.value.trim();
    if (ev.key !== 'Enter' || !name) return;
    ev.preventDefault();
    patch(ctx, { labels: [...current, name] }).then((ok) => { if (ok) { field.blur(); renderProfile(ctx); } });
  });
  box.appendChild(field);
  return box;
}

/** @param {Ctx} ctx @param {CustomerConversation[]} convs */
function conversations(ctx, convs) {
  const { S } = ctx;
  if (!convs.length) return el('p', { class: 'empty', text: 'No conversations.' });
  const shownId = S.past ? S.past.conv.id : S.selectedId;
  return el('ul', { class: 'profile-convs', testid: 'customer-conversations' },
    ...convs.map((c) => el('li', null, el('button', {
      class: 'profile-conv' + (c.id === shownId ? ' current' : ''), testid: 'customer-conversation',
      attrs: { type: 'button', 'data-conversation-id': c.id, 'aria-current': c.id === shownId ? 'true' : null },
      title: c.id === shownId ? 'Shown now' : 'Open this conversation',
      on: { click: () => { if (c.id !== shownId) ctx.ui.openPast(c.id); } },
    },
    el('span', { class: 'tag', text: c.channel }),
    el('span', { class: 'profile-conv-subject', text: c.subject || 'No subject' }),
    el('span', { class: 'badge conv-' + c.status, text: c.status }),
    el('time', { class: 'muted small', text: fmtTime(c.created_at), attrs: { datetime: c.created_at } })))));
}
