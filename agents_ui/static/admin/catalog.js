// @ts-check
/*
 * Labels and canned responses (supervisors and admins): create, edit and delete.
 */

import { api, clear, el, toast } from '../common.js';
import { cell, editForm, rowButton, setValue, value } from './forms.js';

/** @typedef {{ name: string, color: string, description: string }} Label */
/** @typedef {{ id: string, short_code: string, title: string | null, text: string }} Canned */

/** @param {unknown} e */
function message(e) {
  return e instanceof Error ? e.message : String(e);
}

export function bindLabels() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('label-form'));
  const rows = /** @type {HTMLElement} */ (document.getElementById('label-rows'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('labels-empty'));
  const f = editForm(form, 'New label', 'Create label');
  const nameInput = /** @type {HTMLInputElement} */ (form.elements.namedItem('name'));

  async function load() {
    const data = /** @type {{ labels: Label[] }} */ (await api('GET', '/api/v1/labels'));
    clear(rows);
    for (const l of data.labels) rows.appendChild(row(l));
    empty.hidden = data.labels.length > 0;
  }

  /** @param {Label} l */
  function row(l) {
    const swatch = el('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.setProperty('--swatch', l.color); // CSSOM, not a style attribute in markup
    return el('tr', { testid: 'label-row', attrs: { 'data-label-name': l.name } },
      cell('Label', el('span', { class: 'label-chip' }, swatch, l.name)),
      cell('Description', l.description || '—'),
      cell('Actions', el('span', { class: 'row-actions' },
        rowButton('Edit', 'label-edit', () => {
          f.mode(l.name, 'Edit label ' + l.name, 'Save changes');
          setValue(form, 'name', l.name);
          nameInput.readOnly = true;
          setValue(form, 'color', l.color);
          setValue(form, 'description', l.description);
        }),
        rowButton('Delete', 'label-delete', () => remove(l), 'danger'))));
  }

  /** @param {Label} l */
  async function remove(l) {
    if (!window.confirm('Delete the label ' + l.name + '?')) return;
    try {
      await api('DELETE', '/api/v1/labels/' + encodeURIComponent(l.name));
      await load();
    } catch (e) {
      toast(message(e), 'error');
    }
  }

  async function submit() {
    const body = { color: value(form, 'color'), description: value(form, 'description') };
    try {
      if (f.editing) await api('PATCH', '/api/v1/labels/' + encodeURIComponent(f.editing), body);
      else await api('POST', '/api/v1/labels', { name: value(form, 'name'), ...body });
      form.reset();
      nameInput.readOnly = false;
      f.mode(null, 'New label', 'Create label');
      await load();
    } catch (e) {
      f.showError(e);
    }
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit(); });
  form.addEventListener('reset', () => { nameInput.readOnly = false; });
  return load;
}

export function bindCanned() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('canned-form'));
  const rows = /** @type {HTMLElement} */ (document.getElementById('canned-rows'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('canned-empty'));
  const f = editForm(form, 'New canned response', 'Create response');

  async function load() {
    const data = /** @type {{ canned_responses: Canned[] }} */ (
      await api('GET', '/api/v1/canned-responses'));
    clear(rows);
    for (const c of data.canned_responses) rows.appendChild(row(c));
    empty.hidden = data.canned_responses.length > 0;
  }

  /** @param {Canned} c */
  function row(c) {
    return el('tr', { testid: 'canned-row', attrs: { 'data-short-code': c.short_code } },
      cell('Code', el('code', { text: '/' + c.short_code })),
      cell('Title', c.title || '—'),
      cell('Text', el('span', { class: 'canned-text', text: c.text })),
      cell('Actions', el('span', { class: 'row-actions' },
        rowButton('Edit', 'canned-edit', () => {
          f.mode(c.id, 'Edit /' + c.short_code, 'Save changes');
          setValue(form, 'short_code', c.short_code);
          setValue(form, 'title', c.title || '');
          setValue(form, 'text', c.text);
        }),
        rowButton('Delete', 'canned-delete', () => remove(c), 'danger'))));
  }

  /** @param {Canned} c */
  async function remove(c) {
    if (!window.confirm('Delete /' + c.short_code + '?')) return;
    try {
      await api('DELETE', '/api/v1/canned-responses/' + encodeURIComponent(c.id));
      await load();
    } catch (e) {
      toast(message(e), 'error');
    }
  }

  async function submit() {
    const body = {
      short_code: value(form, 'short_code'), title: value(form, 'title') || null,
      text: value(form, 'text'),
    };
    try {
      if (f.editing) await api('PATCH', '/api/v1/canned-responses/' + encodeURIComponent(f.editing), body);
      else await api('POST', '/api/v1/canned-responses', body);
      form.reset();
      f.mode(null, 'New canned response', 'Create response');
      await load();
    } catch (e) {
      f.showError(e);
    }
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit(); });
  return load;
}
