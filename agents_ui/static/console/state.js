// @ts-check
/*
 * The console's state, one object created at start, and its pure updates: nothing here
 * touches the DOM or the socket.
 *
 * Invariants (an agent keeps this page open for hours):
 *  - Every stream frame carries an increasing event_id. `lastEventId` is the newest one
 *    applied; anything at or below it is a duplicate and dropped (`advance`).
 *  - While a resume is in flight, stream frames (replayed or live) are buffered and applied
 *    in event_id order once the server answers, so a live event can never overtake, and
 *    then mask, an older replayed one (`takeResumeBuffer`).
 *  - Replies and notes carry a client_id and stay in `outbox` until acked.
 */

/**
 * @import { Agent, Attachment, Conversation, OfferFields, ReplyFrame, NoteRequest, StreamFrame } from '../protocol.js'
 * @import { Msg } from './messages.js'
 * @import { Note } from './notes.js'
 */

/**
 * @typedef {object} ConvState
 * @property {Conversation} conv
 * @property {number} unread
 * @property {Map<string, Msg>} messages message_id -> committed message
 * @property {Map<string, Msg>} pending client_id -> sent, not yet acked
 * @property {Map<string, Note>} notes note_id -> internal note, shown inline in the thread
 * @property {boolean} customerTyping
 * @property {ReturnType<typeof setTimeout> | undefined} typingTimer
 * @property {string} lastText
 * @property {string} draft the unsent reply, kept while another conversation is open
 * @property {boolean} [optedOut]
 * @property {boolean} [stale] the stream missed events (a reload): refresh it from REST
 */

/**
 * @typedef {object} OfferState
 * @property {OfferFields} frame
 * @property {number} deadline performance.now() when it expires
 * @property {number | null} waitingSince performance.now() when the customer started waiting
 * @property {HTMLElement | null} node its card, once rendered
 * @property {boolean} busy accepted or rejected, waiting for the server
 */

/**
 * @typedef {object} Resume a resume in flight
 * @property {StreamFrame[]} buffer stream frames held back until `resumed` or `reload`
 * @property {ReturnType<typeof setTimeout>} timer
 * @property {number | null} snapshotId the welcome's last_event_id on this connection
 */

/** @typedef {{ id: string, name: string, status?: string, disabled?: boolean }} DirectoryAgent */
/** @typedef {{ name: string }} DirectoryQueue */
/**
 * @typedef {object} ProfileState
 * @property {import('../protocol.js').CustomerProfile | null} data the profile shown
 * @property {number} editing how many inline editors are open: a refresh waits for them
 * @property {number} seq guards against a late answer for another customer
 * @property {{ merge: import('../protocol.js').CustomerMerge, name: string } | null} lastMerge
 *   this page's newest merge into the customer shown (the profile lists no merges)
 */

/**
 * @typedef {object} State
 * @property {Agent | null} me
 * @property {number | null} lastEventId the watermark: newest stream event applied
 * @property {Map<string, ConvState>} convs insertion order = list order
 * @property {Map<string, OfferState>} offers
 * @property {string | null} selectedId
 * @property {ConvState | null} past a past conversation shown read-only in the thread instead
 * @property {string} search what the search box filters the conversation list by
 * @property {number} selectSeq guards against late REST answers for an older selection
 * @property {Map<string, ReplyFrame | NoteRequest>} outbox client_id -> frame awaiting its ack
 * @property {Resume | null} resume
 * @property {Set<string>} acceptedConvIds conversations this tab accepted: open them on `assigned`
 * @property {Map<string, string>} agentNames agent id -> name, for timeline text
 * @property {{ agents: DirectoryAgent[], queues: DirectoryQueue[], loadedAt: number }} directory
 * @property {{ customerId: string | null, seq: number, timer: ReturnType<typeof setTimeout> | undefined }} timeline
 * @property {ProfileState} profile the customer panel's 360° profile (profile.js)
 * @property {{ convId: string | null, lastSent: number, idleTimer: ReturnType<typeof setTimeout> | undefined }} typingOut
 * @property {ReturnType<typeof setTimeout> | null} unavailableRetry
 * @property {boolean} loggingIn
 * @property {string | null} pendingPresence status chosen while the socket was down
 * @property {Inbox} inbox the inbox's view, filters, rows and counts (inbox.js)
 * @property {LabelDef[]} labels every label there is (GET /api/v1/labels)
 * @property {Map<string, string[]>} labelsOf conversation id -> its labels, as last heard
 * @property {Map<string, Attachment[]>} attachments conversation id -> files uploaded for its next reply
 * @property {Promise<unknown>} toolQueue the conversation tools' REST calls, one after another, so
 *   their answers land in the order the agent acted
 * @property {Map<string, string>} taking conversations taken (Take) whose offer is still to come
 * @property {{ seq: number, timer: ReturnType<typeof setTimeout> | undefined, active: number }} find
 *   search-as-you-type: the newest request and the highlighted result
 */

/** @typedef {{ name: string, color?: string, description?: string }} LabelDef */

/**
 * @typedef {object} InboxFilters
 * @property {string} [status]
 * @property {string} [channel]
 * @property {string} [queue]
 * @property {string} [label]
 * @property {string} [priority]
 * @property {string} [assignee] me | none | an agent id
 * @property {string} [q]
 */

/**
 * A row of GET /api/v1/conversations: the conversation and what the list adds to it.
 * @typedef {Conversation & { labels: string[], last_message: { text: string, direction: string, at: string } | null,
 *   last_activity_at: string }} InboxRow
 */

/**
 * @typedef {object} SavedView
 * @property {string} id
 * @property {string} name
 * @property {boolean} shared
 * @property {Record<string, string[] | string | undefined>} filters
 */

/**
 * @typedef {object} Inbox
 * @property {string} view mine | unassigned | all | a saved view's id
 * @property {InboxFilters} filters the filter controls (the view's own come on top)
 * @property {InboxRow[]} rows
 * @property {string | null} cursor the next page's, null on the last
 * @property {Record<string, number> | null} counts per status, for the current view
 * @property {Record<string, number>} [viewCounts] open + pending of Mine, Unassigned, All
 * @property {SavedView[]} views
 * @property {number} seq guards against a late page for older filters
 * @property {ReturnType<typeof setTimeout> | undefined} timer the debounced refresh
 * @property {boolean} loading
 */

/** @returns {State} */
export function createState() {
  return {
    me: null,
    lastEventId: null,
    convs: new Map(),
    offers: new Map(),
    selectedId: null,
    past: null,
    search: '',
    selectSeq: 0,
    outbox: new Map(),
    resume: null,
    acceptedConvIds: new Set(),
    agentNames: new Map(),
    directory: { agents: [], queues: [], loadedAt: 0 },
    timeline: { customerId: null, seq: 0, timer: undefined },
    profile: { data: null, editing: 0, seq: 0, lastMerge: null },
    typingOut: { convId: null, lastSent: 0, idleTimer: undefined },
    unavailableRetry: null,
    loggingIn: false,
    pendingPresence: null,
    inbox: newInbox(),
    labels: [],
    labelsOf: new Map(),
    taking: new Map(),
    attachments: new Map(),
    toolQueue: Promise.resolve(),
    find: { seq: 0, timer: undefined, active: -1 },
  };
}

/** @returns {Inbox} */
export function newInbox() {
  return { view: 'mine', filters: {}, rows: [], cursor: null, counts: null, views: [], seq: 0, timer: undefined, loading: false };
}

/**
 * Forget everything about the previous agent (the caller stops outgoing typing).
 * @param {State} S
 */
export function resetState(S) {
  for (const c of S.convs.values()) clearTimeout(c.typingTimer);
  S.me = null;
  S.lastEventId = null;
  S.convs.clear();
  S.offers.clear();
  S.selectedId = null;
  S.past = null;
  S.outbox.clear();
  cancelResume(S);
  S.acceptedConvIds.clear();
  S.directory = { agents: [], queues: [], loadedAt: 0 };
  S.timeline.customerId = null;
  S.profile = { data: null, editing: 0, seq: 0, lastMerge: null };
  S.pendingPresence = null;
  clearTimeout(S.inbox.timer);
  S.inbox = newInbox();
  S.labelsOf.clear();
  S.taking.clear();
}

// ---------------------------------------------------------------- event ids and resume

/**
 * Move the watermark to this stream frame; false when it is a duplicate to drop.
 * @param {State} S
 * @param {StreamFrame} f
 */
export function advance(S, f) {
  if (S.lastEventId !== null && f.event_id <= S.lastEventId) return false;
  S.lastEventId = f.event_id;
  return true;
}

/**
 * @param {State} S
 * @param {number | null} snapshotId
 * @param {ReturnType<typeof setTimeout>} timer
 */
export function startResume(S, snapshotId, timer) {
  cancelResume(S);
  S.resume = { buffer: [], timer, snapshotId };
}

/** @param {State} S */
export function cancelResume(S) {
  if (S.resume) clearTimeout(S.resume.timer);
  S.resume = null;
}

/**
 * End the resume and hand back what it held, oldest event first.
 * @param {State} S
 * @returns {StreamFrame[]}
 */
export function takeResumeBuffer(S) {
  const buffer = S.resume ? S.resume.buffer : [];
  cancelResume(S);
  return buffer.sort((a, b) => a.event_id - b.event_id);
}

// ---------------------------------------------------------------- agents

/**
 * @param {State} S
 * @param {string | null | undefined} id
 * @param {string | null | undefined} name
 */
export function rememberAgent(S, id, name) {
  if (id && name) S.agentNames.set(id, name);
}

/**
 * How the timeline names an agent: "you", their name, or the fallback.
 * @param {State} S
 * @param {string | null | undefined} id
 * @param {string | null} [fallbackName]
 */
export function agentLabel(S, id, fallbackName) {
  if (!id) return fallbackName || 'an agent';
  if (S.me && id === S.me.id) return 'you';
  return S.agentNames.get(id) || fallbackName || 'an agent';
}

// ---------------------------------------------------------------- conversations and offers

/** @param {Conversation} conv @returns {ConvState} */
export function newConvState(conv) {
  return {
    conv,
    unread: 0,
    messages: new Map(),
    pending: new Map(),
    notes: new Map(),
    customerTyping: false,
    typingTimer: undefined,
    lastText: '',
    draft: '',
  };
}

/**
 * @param {State} S
 * @param {Conversation} conv
 */
export function upsertConversation(S, conv) {
  let c = S.convs.get(conv.id);
  if (!c) {
    c = newConvState(conv);
    S.convs.set(conv.id, c);
  } else {
    c.conv = Object.assign({}, c.conv, conv);
  }
  if (conv.assignee_id && conv.assignee_name) rememberAgent(S, conv.assignee_id, conv.assignee_name);
  return c;
}

/**
 * @param {State} S
 * @param {OfferFields} f
 */
export function upsertOffer(S, f) {
  let seconds = Number(f.expires_in);
  if (!isFinite(seconds)) {
    // Fall back to the absolute time; clock skew makes this less accurate.
    const at = Date.parse(f.expires_at || '');
    seconds = isNaN(at) ? 0 : (at - Date.now()) / 1000;
  }
  const entry = S.offers.get(f.offer_id) || { frame: f, deadline: 0, waitingSince: null, node: null, busy: false };
  entry.frame = f;
  entry.deadline = performance.now() + Math.max(0, seconds) * 1000;
  entry.waitingSince = waitingSince(f);
  S.offers.set(f.offer_id, entry);
  if (f.conversation && f.conversation.assignee_name && f.conversation.assignee_id) {
    rememberAgent(S, f.conversation.assignee_id, f.conversation.assignee_name);
  }
}

/**
 * When the customer started waiting, on this page's clock: from how long they had waited
 * when the frame was sent (so a skewed clock does not matter), else from the timestamp.
 * @param {OfferFields} f
 * @returns {number | null}
 */
function waitingSince(f) {
  const waited = Number(f.waited_seconds);
  if (f.waited_seconds != null && isFinite(waited)) return performance.now() - Math.max(0, waited) * 1000;
  const since = Date.parse(f.waiting_since || (f.conversation && f.conversation.queued_at) || '');
  return isNaN(since) ? null : performance.now() - Math.max(0, Date.now() - since);
}

/**
 * Replies that can no longer be delivered (conversation gone or resolved) are shown as
 * failed, not retried forever.
 * @param {State} S
 * @param {string} convId
 */
export function failPending(S, convId) {
  const c = S.convs.get(convId);
  for (const [cid, frame] of Array.from(S.outbox)) {
    if (frame.conversation_id === convId) S.outbox.delete(cid);
  }
  if (!c) return;
  for (const p of c.pending.values()) p.state = 'failed';
}

/**
 * After a reload every conversation may have missed messages or delivery steps.
 * @param {State} S
 */
export function markStale(S) {
  for (const c of S.convs.values()) c.stale = true;
}
