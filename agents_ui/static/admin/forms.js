// @ts-check
/*
 * The admin page's forms: one form per section creates a record, or edits the one picked in
 * the table (its fields filled in). An API error is shown next to the field it names (the
 * error body's `field`), or under the form when it names none.
 */

import { ApiError, clear, el } from '../common.js';

/**
 * @typedef {object} EditForm
 * @property {HTMLFormElement} form
 * @property {string | null} editing the key of the record being edited, or null: creating
 * @property {(key: string | null, title: string, submit: string) => void} mode
 * @property {(e: unknown) => void} showError
 * @property {() => void} clearErrors
 */

/**
 * @param {HTMLFormElement} form
 * @param {string} createTitle
 * @param {string} createSubmit
 * @returns {EditForm}
 */
export function editForm(form, createTitle, createSubmit) {
  const title = /** @type {HTMLElement} */ (form.querySelector('.form-title'));
  const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
  const cancel = /** @type {HTMLButtonElement | null} */ (form.querySelector('[data-action=cancel]'));
  const general = /** @type {HTMLElement} */ (form.querySelector('[data-field-error]'));
  /** @type {EditForm} */
  const f = {
    form,
    editing: null,
    mode(key, t, s) {
      f.editing = key;
      title.textContent = t;
      submit.textContent = s;
      if (cancel) cancel.hidden = key === null;
      form.classList.toggle('editing', key !== null);
      f.clearErrors();
    },
    clearErrors() {
      for (const node of form.querySelectorAll('.field-error')) node.remove();
      for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
      general.hidden = true;
      clear(general);
    },
    showError(e) {
      f.clearErrors();
      const message = e instanceof Error ? e.message : String(e);
      const body = e instanceof ApiError ? /** @type {{ field?: string } | null} */ (e.body) : null;
      const name = body && body.field ? body.field.split('.')[0] : null;
      const input = name ? form.elements.namedItem(name) : null;
      const target = input instanceof RadioNodeList ? input[0] : input;
      if (target instanceof HTMLElement) {
        target.setAttribute('aria-invalid', 'true');
        const label = target.closest('label, fieldset') || target;
        label.appendChild(el('span', { class: 'field-error', testid: 'field-error', text: fieldMessage(message, target) }));
        target.focus();
        return;
      }
      general.textContent = message;
      general.hidden = false;
    },
  };
  if (cancel) cancel.addEventListener('click', () => { form.reset(); f.mode(null, createTitle, createSubmit); });
  return f;
}

/**
 * Shown beside its field, the message need not name it; a pattern the API quotes reads
 * better as the field's own hint (its data-hint).
 * @param {string} message
 * @param {HTMLElement} input
 */
function fieldMessage(message, input) {
  const hint = input.dataset.hint;
  if (hint && /should match pattern/.test(message)) return hint;
  return message.replace(/^(body|query) field '[^']*': /, '');
}

/**
 * A text input's value, trimmed.
 * @param {HTMLFormElement} form
 * @param {string} name
 */
export function value(form, name) {
  const input = form.elements.namedItem(name);
  if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement || input instanceof HTMLTextAreaElement) {
    return input.value.trim();
  }
  return '';
}

/**
 * @param {HTMLFormElement} form
 * @param {string} name
 * @param {string} v
 */
export function setValue(form, name, v) {
  const input = form.elements.namedItem(name);
  if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement || input instanceof HTMLTextAreaElement) {
    input.value = v;
  }
}

/** "a, b ,c" → ["a", "b", "c"] @param {string} text */
export function list(text) {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * "chat=3, email=5" → {chat: 3, email: 5}; a bad entry is kept as NaN so the API names it.
 * @param {string} text
 */
export function pairs(text) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const item of list(text)) {
    const [k, v] = item.split('=').map((s) => s.trim());
    out[k] = Number(v);
  }
  return out;
}

/** @param {Record<string, number>} map */
export function pairsText(map) {
  return Object.entries(map || {}).map(([k, v]) => k + '=' + v).join(', ');
}

/**
 * A row's action button.
 * @param {string} text
 * @param {string} testid
 * @param {() => void} onClick
 * @param {string} [cls]
 */
export function rowButton(text, testid, onClick, cls) {
  return el('button', {
    class: 'small-button' + (cls ? ' ' + cls : ''), testid, text,
    attrs: { type: 'button' }, on: { click: onClick },
  });
}

/**
 * A table cell with the column's name for the card layout of a narrow screen.
 * @param {string} label
 * @param {...(Node | string | null)} children
 */
export function cell(label, ...children) {
  return el('td', { attrs: { 'data-label': label } }, ...children);
}
