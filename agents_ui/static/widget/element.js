// @ts-check
/*
 * <contacthub-chat>: the widget as one custom element. Its launcher, panel and styles live
 * in an open shadow root, so the host page's CSS cannot reach in and ours cannot leak out.
 * The hub it talks to is its `hub` attribute, else the one it was defined with (defineChat).
 */

import { Chat } from './chat.js';
import CSS from './widget.css';
import { buildUi } from './view.js';

export const TAG = 'contacthub-chat';

/**
 * A constructable stylesheet where the browser has them, else a <style> in the shadow root.
 * @param {ShadowRoot} root
 */
function adoptStyles(root) {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = CSS;
  root.appendChild(style);
}

export class ContactHubChat extends HTMLElement {
  constructor() {
    super();
    /** @type {Chat | null} */
    this.chat = null;
  }

  /** The hub when there is no `hub` attribute: this page's origin, unless defineChat says. */
  get defaultHub() { return location.origin; }

  connectedCallback() {
    if (this.chat) return; // moved in the page: keep the one conversation
    const root = this.shadowRoot || this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    const ui = buildUi(root);
    const origin = new URL(this.getAttribute('hub') || this.defaultHub, location.href).origin;
    const chat = new Chat(ui, origin.replace(/^http/, 'ws') + '/ws/chat');
    this.chat = chat;
    ui.launcher.addEventListener('click', () => chat.toggle());
    ui.close.addEventListener('click', () => chat.setOpen(false));
    ui.form.addEventListener('submit', (ev) => chat.onSubmit(ev));
    ui.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); chat.onSubmit(ev); }
    });
    ui.input.addEventListener('input', () => chat.onTyping());
    ui.input.addEventListener('blur', () => chat.stopTyping());
    chat.boot();
  }

  open() { if (this.chat) this.chat.setOpen(true); }

  close() { if (this.chat) this.chat.setOpen(false); }
}

/**
 * Define <contacthub-chat> (once) for a hub; elements already in the page upgrade to it.
 * @param {string} hub the hub's origin
 */
export function defineChat(hub) {
  if (customElements.get(TAG)) return;
  customElements.define(TAG, class extends ContactHubChat {
    get defaultHub() { return hub; }
  });
}
