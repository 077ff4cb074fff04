// @ts-check
/*
 * The Queues section (admins): create, edit (channels, skills, priority, service level
 * target, policy) and delete, with the API's 409 (conversations still in it, a channel
 * routing to it, the last queue) shown as it says it.
 */

import { api, clear, el, toast } from '../common.js';
import { cell, editForm, list, rowButton, setValue, value } from './forms.js';

/**
 * @typedef {object} Queue
 * @property {string} name
 * @property {string[]} channels
 * @property {string[]} skills
 * @property {number} priority
 * @property {number} service_level_seconds
 * @property {string} policy
 */

export function bindQueues() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('queue-form'));
  const rows = /** @type {HTMLElement} */ (document.getElementById('queue-rows'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('queues-empty'));
  const f = editForm(form, 'New queue', 'Create queue');
  const nameInput = /** @type {HTMLInputElement} */ (form.elements.namedItem('name'));

  async function load() {
    const data = /** @type {{ queues: Queue[] }} */ (await api('GET', '/api/v1/queues'));
    clear(rows);
    for (const q of data.queues) rows.appendChild(row(q));
    empty.hidden = data.queues.length > 0;
  }

  /** @param {Queue} q */
  function row(q) {
    return el('tr', { testid: 'queue-row', attrs: { 'data-queue': q.name } },
      cell('Name', el('strong', { text: q.name })),
      cell('Channels', q.channels.join(', ') || '—'),
      cell('Skills', q.skills.join(', ') || '—'),
      el('td', { class: 'num', attrs: { 'data-label': 'Priority' }, text: q.priority }),
      el('td', { class: 'num', attrs: { 'data-label': 'Target' }, text: q.service_level_seconds + ' s' }),
      cell('Policy', q.policy.replace('_', ' ')),
      cell('Actions', el('span', { class: 'row-actions' },
        rowButton('Edit', 'queue-edit', () => edit(q)),
        rowButton('Delete', 'queue-delete', () => remove(q), 'danger'))));
  }

  /** @param {Queue} q */
  function edit(q) {
    f.mode(q.name, 'Edit queue ' + q.name, 'Save changes');
    setValue(form, 'name', q.name);
    nameInput.readOnly = true; // a queue keeps its name
    for (const box of form.querySelectorAll('input[name=channels]')) {
      if (box instanceof HTMLInputElement) box.checked = q.channels.includes(box.value);
    }
    setValue(form, 'skills', q.skills.join(', '));
    setValue(form, 'priority', String(q.priority));
    setValue(form, 'service_level_seconds', String(q.service_level_seconds));
    setValue(form, 'policy', q.policy);
    form.scrollIntoView({ block: 'nearest' });
  }

  /** @param {Queue} q */
  async function remove(q) {
    if (!window.confirm('Delete the queue ' + q.name + '?')) return;
    try {
      await api('DELETE', '/api/v1/queues/' + encodeURIComponent(q.name));
      toast('Deleted the queue ' + q.name);
      await load();
    } catch (e) {
      toast('Cannot delete ' + q.name + ': ' + (e instanceof Error ? e.message : String(e)), 'error');
    }
  }

  function body() {
    const channels = Array.from(form.querySelectorAll('input[name=channels]'))
      .filter((b) => b instanceof HTMLInputElement && b.checked)
      .map((b) => /** @type {HTMLInputElement} */ (b).value);
    return {
      channels, skills: list(value(form, 'skills')), priority: Number(value(form, 'priority') || 0),
      service_level_seconds: Number(value(form, 'service_level_seconds') || 0),
      policy: value(form, 'policy'),
    };
  }

  function reset() {
    form.reset();
    nameInput.readOnly = false;
    f.mode(null, 'New queue', 'Create queue');
  }

  async function submit() {
    try {
      if (f.editing) {
        await api('PATCH', '/api/v1/queues/' + encodeURIComponent(f.editing), body());
        toast('Saved the queue ' + f.editing);
      } else {
        await api('POST', '/api/v1/queues', { name: value(form, 'name'), ...body() });
        toast('Created the queue ' + value(form, 'name'));
      }
      reset();
      await load();
    } catch (e) {
      f.showError(e);
    }
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit(); });
  form.addEventListener('reset', () => { nameInput.readOnly = false; });
  return load;
}
