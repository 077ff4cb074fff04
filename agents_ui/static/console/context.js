// @ts-check
/*
 * What the console's modules share, passed to each function as `ctx`: built once by
 * main.js, so no module keeps state of its own. Types only: nothing here runs.
 */

/**
 * @import { State } from './state.js'
 * @import { ConsoleDom } from './dom.js'
 * @import { AgentConnection } from './socket.js'
 */

/**
 * What a rendered control does when used; main.js wires these to the actions, so the
 * render modules need not import them.
 * @typedef {object} UiHandlers
 * @property {(id: string) => void} select open a conversation
 * @property {(id: string) => void} dismiss remove a resolved conversation from the list
 * @property {(offerId: string, accept: boolean) => void} decideOffer
 * @property {(id: string) => void} openPast open a conversation from the timeline (read-only
 *   unless it is one of ours)
 * @property {(pane: Pane) => void} showPane on a narrow screen, show this pane
 * @property {() => void} clearSearch empty the search box (and the inbox's `q`)
 * @property {(view: string) => void} setView show this inbox view (inbox.js)
 * @property {(id: string, labels: string[]) => void} setLabels edit the open conversation's labels
 */

/** @typedef {'inbox' | 'thread' | 'customer'} Pane */

/**
 * @typedef {object} Ctx
 * @property {State} S
 * @property {ConsoleDom} dom
 * @property {AgentConnection} conn
 * @property {UiHandlers} ui
 * @property {(e: unknown, what: string) => void} apiError a failed REST call: 401 signs out
 */

export {};
