// @ts-check
/*
 * The console's connection to /ws/agent (docs/protocol.md, "Agent socket"): reconnecting
 * with backoff, the event-id watermark, and the resume protocol.
 *
 * After a reconnect the new welcome snapshot is applied first, then we `resume` from our
 * watermark. The server answers either
 *  - `resumed`: it replayed what we missed; the buffered frames are applied in order, or
 *  - `reload`: what we missed was pruned from its log. The welcome of this connection
 *    (up to `last_event_id` N) stands in for it: the watermark moves to N, the buffered
 *    frames past N are applied in order, and what is on screen is reloaded from REST.
 * Either way the resume ends there; a reload never leads to another reconnect.
 */

import { ReconnectingSocket, socketUrl, toast } from '../common.js';
import { sessionValid } from '../login.js';
import { advance, cancelResume, startResume, takeResumeBuffer } from './state.js';

/**
 * @import { EphemeralFrame, ReloadFrame, StreamFrame, WelcomeFrame } from '../protocol.js'
 * @import { State } from './state.js'
 */

const RESUME_TIMEOUT_MS = 20000;

/**
 * How the console caught up: from a fresh welcome, by replay, or by a reload.
 * @typedef {{ kind: 'fresh' } | { kind: 'resumed' } | { kind: 'reloaded', reason: string }} Sync
 */

/**
 * @typedef {object} ConnectionHooks
 * @property {(f: WelcomeFrame, sameAgent: boolean) => void} onWelcome apply the snapshot
 * @property {(f: StreamFrame) => void} onEvent a new stream event, in event_id order
 * @property {(f: EphemeralFrame) => void} onEphemeral ack, error, typing, pong, unknown
 * @property {(how: Sync) => void} onSynced caught up: flush and refresh what is on screen
 * @property {() => void} onDisconnect
 * @property {(state: string, delayMs?: number) => void} setConn
 * @property {(code: number) => void} onFatal the session is gone (4401) or refused (4403)
 */

export class AgentConnection {
  /**
   * @param {State} S
   * @param {ConnectionHooks} hooks
   */
  constructor(S, hooks) {
    this.S = S;
    this.hooks = hooks;
    this.socket = new ReconnectingSocket(() => socketUrl('/ws/agent'), {
      onFrame: (f) => this.onFrame(f),
      onClose: () => this.onClose(),
      onState: (state, delayMs, attempt) => { this.onState(state, delayMs, attempt); },
      onFatal: (code) => hooks.onFatal(code),
    }, { fatalCodes: [4401, 4403] });
  }

  start() { this.socket.start(); }

  stop() { this.socket.stop(); }

  /** @param {object} frame @returns {boolean} false when not connected */
  send(frame) { return this.socket.send(frame); }

  /**
   * Send, and tell the agent when it could not be sent.
   * @param {object} frame
   */
  sendOrWarn(frame) {
    const ok = this.socket.send(frame);
    if (!ok) toast('Not connected — the action was not sent. Try again once reconnected.', 'error');
    return ok;
  }

  /** Send every reply and note still unacked (the server dedupes by client_id). */
  flushOutbox() {
    for (const frame of this.S.outbox.values()) {
      if (!this.socket.send(frame)) return;
    }
  }

  /** @param {{ type: string }} raw */
  onFrame(raw) {
    if (typeof (/** @type {{ event_id?: unknown }} */ (raw)).event_id === 'number') {
      const f = /** @type {StreamFrame} */ (raw);
      if (this.S.resume) this.S.resume.buffer.push(f);
      else this.apply(f);
      return;
    }
    const f = /** @type {EphemeralFrame} */ (raw);
    switch (f.type) {
      case 'welcome': this.onWelcome(f); break;
      case 'resumed': this.onResumed(); break;
      case 'reload': this.onReload(f); break;
      default: this.hooks.onEphemeral(f); break;
    }
  }

  /** @param {StreamFrame} f */
  apply(f) {
    if (advance(this.S, f)) this.hooks.onEvent(f);
  }

  /** @param {WelcomeFrame} f */
  onWelcome(f) {
    const S = this.S;
    const sameAgent = !!S.me && !!f.agent && S.me.id === f.agent.id;
    const serverId = typeof f.last_event_id === 'number' ? f.last_event_id : null;
    // If the server's newest id is below our watermark its log was reset; resuming from
    // our id would silently skip everything, so start over.
    const canResume = sameAgent && S.lastEventId !== null && serverId !== null && serverId >= S.lastEventId;
    this.hooks.onWelcome(f, sameAgent);
    this.socket.resetBackoff();
    if (canResume) {
      this.beginResume(serverId);
    } else {
      if (serverId !== null) S.lastEventId = serverId;
      this.hooks.onSynced({ kind: 'fresh' });
    }
  }

  /** @param {number | null} snapshotId what this connection's welcome covers */
  beginResume(snapshotId) {
    const S = this.S;
    // A resume that never completes would leave us buffering forever; start the whole
    // connection over instead.
    const timer = setTimeout(() => { cancelResume(S); this.socket.reconnect(); }, RESUME_TIMEOUT_MS);
    startResume(S, snapshotId, timer);
    this.hooks.setConn('syncing');
    this.socket.send({ type: 'resume', last_event_id: S.lastEventId });
  }

  onResumed() {
    if (!this.S.resume) return;
    for (const f of takeResumeBuffer(this.S)) this.apply(f);
    this.hooks.onSynced({ kind: 'resumed' });
  }

  /** @param {ReloadFrame} f */
  onReload(f) {
    const S = this.S;
    if (!S.resume) return; // only ever the answer to our own resume
    const n = typeof f.last_event_id === 'number' ? f.last_event_id : S.resume.snapshotId;
    const buffer = takeResumeBuffer(S);
    // The events between our watermark and N are gone from the server's log, and the
    // welcome snapshot already shows where they led. Carry on from N (never backwards).
    if (n !== null && (S.lastEventId === null || n > S.lastEventId)) S.lastEventId = n;
    for (const b of buffer) this.apply(b);
    this.hooks.onSynced({ kind: 'reloaded', reason: f.reason || '' });
  }

  onClose() {
    // A partial replay must not be applied: live frames in the buffer would move the
    // watermark past events that were never received.
    cancelResume(this.S);
    this.hooks.onDisconnect();
  }

  /**
   * @param {string} state
   * @param {number} [delayMs]
   * @param {number} [attempt]
   */
  async onState(state, delayMs, attempt) {
    this.hooks.setConn(state, delayMs);
    if (state === 'reconnecting' && attempt && attempt % 3 === 0) {
      if (!(await sessionValid())) this.hooks.onFatal(4401);
    }
  }
}
