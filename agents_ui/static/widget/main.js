// @ts-check
/*
 * ContactHub chat widget: the entry point of the widget.js bundle.
 *
 * Embed with one tag:  <script src="https://hub.example/widget.js" async></script>
 * Optional, set before the tag:  window.ContactHub = { name: "Ada", email: "ada@example.com" }
 * Then window.ContactHubWidget.open() / .close() drive it from the page.
 *
 * The script finds its hub from its own src, defines <contacthub-chat> and adds one to the
 * page (or takes the one already there). Source: agents_ui/static/widget/; docs/frontend.md.
 */

import { defineChat, TAG } from './element.js';

/** @import { ContactHubChat } from './element.js' */

/** The classic <script> this bundle was loaded by, or the last one named widget.js. */
function ownScript() {
  // Must run synchronously at load: currentScript is null once we are in a callback.
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  const scripts = document.getElementsByTagName('script');
  for (let i = scripts.length - 1; i >= 0; i--) {
    if (/\/widget\.js(?:[?#].*)?$/.test(scripts[i].src || '')) return scripts[i];
  }
  return null;
}

function install() {
  if (window.__contactHubWidget) return; // included twice: keep one widget
  window.__contactHubWidget = true;
  const script = ownScript();
  const hub = new URL(script && script.src ? script.src : '/', location.href).origin;
  defineChat(hub);

  const boot = () => {
    let widget = /** @type {ContactHubChat | null} */ (document.querySelector(TAG));
    if (!widget) {
      widget = /** @type {ContactHubChat} */ (document.createElement(TAG));
      widget.setAttribute('hub', hub);
      document.body.appendChild(widget);
    }
    const chat = widget;
    window.ContactHubWidget = { open: () => chat.open(), close: () => chat.close() };
  };
  if (document.body) boot();
  else document.addEventListener('DOMContentLoaded', boot);
}

install();
