// Types the widget sources need beyond lib.dom, for `tsc --checkJs` only.

// widget.css is bundled as a string by esbuild's text loader (agents_ui/web/build.mjs).
declare module '*.css' {
  const text: string;
  export default text;
}

// What the widget reads from and puts on the host page's window.
interface Window {
  /** Set by the first widget.js to run, so a second copy does nothing. */
  __contactHubWidget?: boolean;
  /** Set by the host page before the script tag: who the visitor is. */
  ContactHub?: { name?: unknown; email?: unknown };
  /** The widget's API for the host page. */
  ContactHubWidget?: { open(): void; close(): void };
}
