// @ts-check
/*
 * Internal notes as the thread shows them, inline between the messages. The conversation's
 * REST answer carries messages only; notes come from the live `note` stream frames and from
 * the customer's timeline (its `note` entries), deduplicated by note_id.
 */

/** @import { NoteFrame, TimelineEntry } from '../protocol.js' */
/** @import { ConvState } from './state.js' */

/**
 * @typedef {object} Note
 * @property {string} note_id
 * @property {string | null} agent_id
 * @property {string | null} agent_name
 * @property {string} text
 * @property {string | null} created_at
 */

/**
 * @param {ConvState} c
 * @param {NoteFrame} f
 */
export function addNoteFrame(c, f) {
  const id = f.note_id || '';
  if (!id || c.notes.has(id)) return false;
  c.notes.set(id, {
    note_id: id, agent_id: f.agent_id || null, agent_name: f.agent_name || null,
    text: f.text == null ? '' : String(f.text), created_at: f.at || null,
  });
  return true;
}

/**
 * Take the timeline's notes on this conversation into its thread; true when any was new.
 * @param {ConvState} c
 * @param {TimelineEntry[]} entries
 */
export function addTimelineNotes(c, entries) {
  let added = false;
  for (const e of entries) {
    if (e.kind !== 'note' || e.conversation_id !== c.conv.id) continue;
    const p = e.payload || {};
    const id = p.note_id || 'timeline-' + e.id;
    if (c.notes.has(id)) continue;
    c.notes.set(id, {
      note_id: id, agent_id: p.agent_id || null, agent_name: p.agent_name || null,
      text: p.text || '', created_at: e.at || null,
    });
    added = true;
  }
  return added;
}
