// @ts-check
/*
 * The shapes of docs/protocol.md the console and the supervisor view read, as JSDoc types for
 * `tsc --checkJs`. Types only: nothing here runs, and no page loads this file. Fields the hub
 * may leave out or send as null are optional, because the pages read every frame defensively.
 */

/**
 * @typedef {object} Agent
 * @property {string} id
 * @property {string} [name]
 * @property {string} [email]
 * @property {string} [role]
 * @property {string} [status] available | away | offline
 */

/**
 * @typedef {object} Conversation
 * @property {string} id
 * @property {string} [customer_id]
 * @property {string | null} [customer_name]
 * @property {string} [channel]
 * @property {string} [queue]
 * @property {string} [status] open | pending | snoozed | resolved
 * @property {string | null} [assignee_id]
 * @property {string | null} [assignee_name]
 * @property {string | null} [target_agent_id] waiting for this agent only
 * @property {string | null} [pinned_until] a supervisor's pin: back to the queue then
 * @property {string | null} [subject]
 * @property {string | null} [contact]
 * @property {string | null} [linked_to]
 * @property {string | null} [preview]
 * @property {string} [created_at]
 * @property {string} [queued_at] since when the customer waits for an agent
 * @property {number} [priority] 0 normal; higher is more urgent
 * @property {string | null} [snoozed_until] set while `snoozed`
 */

/**
 * @typedef {object} Attachment
 * @property {string} [name]
 * @property {string} [content_type]
 * @property {number | null} [size]
 * @property {string} [url]
 * @property {string | null} [sha256]
 */

/**
 * A message as REST (`id`) or the stream (`message_id`) sends it.
 * @typedef {object} RawMessage
 * @property {string} [id]
 * @property {string} [message_id]
 * @property {string} [conversation_id]
 * @property {string | null} [client_id]
 * @property {string} [direction] in | out
 * @property {string} [author] customer | agent | system
 * @property {string | null} [agent_id]
 * @property {string | null} [agent_name]
 * @property {string} [channel]
 * @property {string | null} [text]
 * @property {string} [created_at]
 * @property {Attachment[]} [attachments]
 * @property {string | null} [delivery_status]
 * @property {string | null} [delivery_error]
 * @property {string | null} [html]
 * @property {Record<string, unknown>} [meta]
 */

/**
 * @typedef {object} Identity
 * @property {string} kind
 * @property {string} address "web visitor" for kind webchat (its token is never shown)
 * @property {boolean} [verified] false: an address typed into the chat widget, unproven
 * @property {string | null} [opted_out_at]
 */

/**
 * @typedef {object} Customer
 * @property {string} id
 * @property {string} [display_name]
 * @property {string | null} [email]
 * @property {Identity[]} [identities]
 * @property {string} [created_at]
 */

/**
 * @typedef {object} CustomerConversation one of a profile's conversations
 * @property {string} id
 * @property {string} channel
 * @property {string} status
 * @property {string | null} [subject]
 * @property {string} created_at
 */

/**
 * @typedef {object} CustomerProfile GET /api/v1/customers/{id}
 * @property {Customer} customer
 * @property {Record<string, unknown>} attributes
 * @property {string[]} labels
 * @property {string | null} [merged_into]
 * @property {CustomerConversation[]} conversations newest first
 */

/**
 * @typedef {object} CustomerMerge POST /api/v1/customers/{id}/merge and /unmerge
 * @property {string} id
 * @property {string} survivor_id
 * @property {string} merged_id
 * @property {number} identities
 * @property {number} conversations
 * @property {string | null} [undone_at]
 */

/**
 * @typedef {object} TimelineEntry
 * @property {string} id
 * @property {string} kind
 * @property {string | null} [conversation_id]
 * @property {string} at
 * @property {TimelinePayload} [payload]
 */

/**
 * Any event's fields, as a timeline entry carries them.
 * @typedef {object} TimelinePayload
 * @property {Conversation} [conversation]
 * @property {string} [channel]
 * @property {string} [author]
 * @property {string | null} [agent_id]
 * @property {string | null} [agent_name]
 * @property {string} [text]
 * @property {string} [note_id]
 * @property {string} [offer_id]
 * @property {string} [outcome]
 * @property {string | null} [reason]
 * @property {string} [via]
 * @property {string | null} [from_agent_id]
 * @property {string | null} [to_agent_id]
 * @property {string | null} [to_queue]
 * @property {string | null} [by_agent_id]
 * @property {string} [status]
 * @property {string | null} [error]
 * @property {number | null} [attempts]
 * @property {boolean} [opted_out]
 * @property {string} [kind]
 * @property {string} [address]
 * @property {string} [keyword]
 * @property {number | null} [duration_seconds]
 * @property {string | null} [detail]
 * @property {string | null} [recording_url]
 * @property {Record<string, unknown>} [changes] what an edit changed (conversation_updated)
 * @property {string | null} [snoozed_until]
 * @property {string} [merged_id] the customer merged into this one, or back out of it
 * @property {number} [identities]
 * @property {number} [conversations]
 */

// ---------------------------------------------------------------- stream frames (event_id)

/**
 * @typedef {object} Stream
 * @property {number} event_id
 * @property {string} [at]
 * @property {string} [customer_id]
 */

/**
 * An offer, live (with event_id) or in the welcome (without).
 * @typedef {object} OfferFields
 * @property {'offer'} [type]
 * @property {string} offer_id
 * @property {string} [agent_id]
 * @property {string} [conversation_id]
 * @property {string} [channel]
 * @property {Conversation | null} [conversation] the conversation as it stands when sent
 * @property {string | null} [preview]
 * @property {string} [expires_at]
 * @property {number} [expires_in]
 * @property {string | null} [waiting_since] since when the customer waits
 * @property {number} [waited_seconds] how long they had waited when the frame was sent
 */
/** @typedef {Stream & OfferFields & { type: 'offer' }} OfferFrame */
/** @typedef {Stream & { type: 'offer_closed', offer_id: string, agent_id?: string, conversation_id?: string, outcome?: string }} OfferClosedFrame */
/** @typedef {Stream & { type: 'assigned', conversation_id?: string, channel?: string, conversation?: Conversation | null, agent_id?: string, agent_name?: string, via?: string }} AssignedFrame */
/** @typedef {Stream & { type: 'unassigned', conversation_id: string, agent_id?: string, reason?: string }} UnassignedFrame */
/** @typedef {Stream & RawMessage & { type: 'message', conversation_id: string }} MessageFrame */
/** @typedef {Stream & { type: 'note', conversation_id: string, note_id?: string, agent_id?: string, agent_name?: string, text?: string }} NoteFrame */
/** @typedef {Stream & { type: 'status', conversation_id: string, status: string, snoozed_until?: string | null }} StatusFrame */
/** @typedef {Stream & { type: 'mention', conversation_id: string, note_id?: string, agent_id?: string, by_agent_id?: string, by_agent_name?: string, text?: string }} MentionFrame */
/**
 * @typedef {Stream & { type: 'conversation_updated', conversation_id: string, agent_id?: string,
 *   changes: { priority?: number, labels?: string[], subject?: string | null, snoozed_until?: string | null } }} UpdatedFrame
 */
/** @typedef {Stream & { type: 'presence', agent_id?: string, status: string, reason?: string | null }} PresenceFrame */
/** @typedef {Stream & { type: 'delivery', conversation_id: string, message_id: string, status: string, error?: string | null }} DeliveryFrame */
/** @typedef {Stream & { type: 'consent', conversation_id?: string | null, opted_out?: boolean }} ConsentFrame */
/** Event types only the timeline shows (conversation_opened, transferred, call, ...). */
/** @typedef {Stream & { type: 'conversation_opened' | 'transferred' | 'unpinned' | 'call', conversation_id?: string, conversation?: Conversation }} OtherEventFrame */

/**
 * @typedef {OfferFrame | OfferClosedFrame | AssignedFrame | UnassignedFrame | MessageFrame
 *   | NoteFrame | StatusFrame | PresenceFrame | DeliveryFrame | ConsentFrame | MentionFrame | UpdatedFrame
 *   | OtherEventFrame} StreamFrame
 */

// ---------------------------------------------------------------- ephemeral frames

/**
 * @typedef {object} WelcomeFrame
 * @property {'welcome'} type
 * @property {Agent} [agent]
 * @property {number} [last_event_id]
 * @property {Conversation[]} [conversations]
 * @property {OfferFields[]} [offers]
 */
/** @typedef {{ type: 'resumed', last_event_id?: number }} ResumedFrame */
/**
 * The answer to `resume` when the events after our id were pruned: the welcome snapshot of
 * this connection (up to `last_event_id`) stands in for them.
 * @typedef {{ type: 'reload', reason?: string, last_event_id?: number }} ReloadFrame
 */
/** @typedef {{ type: 'ack', client_id: string, message_id?: string, conversation_id?: string }} AckFrame */
/** @typedef {{ type: 'error', code?: string, message?: string, client_id?: string, for?: string }} ErrorFrame */
/** @typedef {{ type: 'typing', conversation_id: string, typing?: boolean }} TypingFrame */
/** @typedef {{ type: 'pong' }} PongFrame */

/** @typedef {WelcomeFrame | ResumedFrame | ReloadFrame | AckFrame | ErrorFrame | TypingFrame | PongFrame} EphemeralFrame */

// ---------------------------------------------------------------- client frames the console queues

/** @typedef {{ sha256: string, name: string, content_type: string }} AttachmentRef a file uploaded with POST /api/v1/attachments */
/** @typedef {{ type: 'reply', conversation_id: string, client_id: string, text: string, attachments?: AttachmentRef[] }} ReplyFrame */
/** @typedef {{ type: 'note', conversation_id: string, client_id: string, text: string }} NoteRequest */

// ---------------------------------------------------------------- supervisor socket

/**
 * @typedef {object} QueueStats
 * @property {string} name
 * @property {number} [waiting]
 * @property {number} [longest_wait_seconds]
 * @property {number | null} [service_level_seconds]
 * @property {number | null} [service_level_pct]
 * @property {number | null} [answered]
 * @property {number | null} [answered_within_target]
 * @property {number} [waiting_past_target] not answered yet, and past the target already
 */

/**
 * @typedef {object} AgentStats
 * @property {string} id
 * @property {string} name
 * @property {string} [role]
 * @property {string} [status]
 * @property {Record<string, number>} [load]
 * @property {Record<string, number>} [capacity]
 * @property {string[]} [conversations]
 */

/**
 * @typedef {object} MailboxStats
 * @property {string} name
 * @property {string} address
 * @property {string} connection
 * @property {string | null} [last_error]
 * @property {number | null} [last_uid]
 * @property {number} [imported]
 * @property {string | null} [last_sync_at]
 */

/**
 * @typedef {object} SnapshotFrame
 * @property {'snapshot'} type
 * @property {string} [at]
 * @property {QueueStats[]} [queues]
 * @property {AgentStats[]} [agents]
 * @property {Conversation[]} [conversations]
 * @property {MailboxStats[]} [mailboxes]
 */

/**
 * The answer to `reassign`: whom the conversation now waits for, as they are now.
 * @typedef {object} ReassignAck
 * @property {'ack'} type
 * @property {string} conversation_id
 * @property {string} [to_agent_id]
 * @property {string} [target_name]
 * @property {string} [target_status] available | away | offline
 * @property {string} [waits_until] back to the queue then, if they have not taken it
 */

/** @typedef {SnapshotFrame | ReassignAck | ErrorFrame | PongFrame} SupervisorFrame */

export {};
