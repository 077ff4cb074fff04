// @ts-check
/*
 * Signing in, shared by the agent console and the supervisor view: the login form, the
 * session check a failing websocket needs, and logging out.
 */

import { ApiError, api, setToken } from './common.js';

/**
 * @typedef {object} Views the page's two views and what else follows which one is shown
 * @property {HTMLElement} login holds the login <form>
 * @property {HTMLElement} app
 * @property {(which: 'login' | 'app') => void} [onChange]
 */

/** @typedef {import('./protocol.js').Agent} Agent */

/**
 * Resolve the signed-in agent: GET /api/v1/me, or show the login form and wait for a
 * successful POST /api/v1/auth/login. Network failures (hub restarting) are retried rather
 * than shown as a login prompt.
 * @param {Views} views
 * @returns {Promise<Agent>}
 */
export function requireLogin(views) {
  return new Promise((resolve) => {
    let delay = 500;
    const tryMe = async () => {
      try {
        resolve(/** @type {Agent} */ (await api('GET', '/api/v1/me')));
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          showLoginForm(views, resolve);
        } else {
          setLoginMessage(views, 'Cannot reach the hub, retrying…');
          showView(views, 'login');
          setTimeout(tryMe, delay);
          delay = Math.min(delay * 2, 10000);
        }
      }
    };
    tryMe();
  });
}

/**
 * Show the login form directly (after logout or a 4401 close).
 * @param {Views} views
 * @param {string} [message]
 * @returns {Promise<Agent>}
 */
export function promptLogin(views, message) {
  return new Promise((resolve) => {
    showLoginForm(views, resolve);
    if (message) setLoginMessage(views, message);
  });
}

/**
 * @param {Views} views
 * @param {'login' | 'app'} which
 */
export function showView(views, which) {
  views.login.hidden = which !== 'login';
  views.app.hidden = which !== 'app';
  if (views.onChange) views.onChange(which);
}

/**
 * @param {Views} views
 * @param {string} text
 */
function setLoginMessage(views, text) {
  const err = views.login.querySelector('[data-testid="login-error"]');
  if (err instanceof HTMLElement) { err.textContent = text || ''; err.hidden = !text; }
}

/**
 * @param {HTMLFormElement} form
 * @param {string} name
 */
function field(form, name) {
  const input = form.elements.namedItem(name);
  if (!(input instanceof HTMLInputElement)) throw new Error('login form has no input ' + name);
  return input;
}

/**
 * @param {Views} views
 * @param {(agent: Agent) => void} resolve
 */
function showLoginForm(views, resolve) {
  showView(views, 'login');
  setLoginMessage(views, '');
  const form = views.login.querySelector('form');
  const submit = form && form.querySelector('[type="submit"]');
  if (!form || !(submit instanceof HTMLButtonElement)) throw new Error('the login view has no form');
  const email = field(form, 'email');
  const password = field(form, 'password');
  // Replace any handler from an earlier prompt so one submit never resolves twice.
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const address = email.value.trim();
    if (!address || !password.value) { setLoginMessage(views, 'Enter your email and password.'); return; }
    submit.disabled = true;
    setLoginMessage(views, '');
    try {
      const res = /** @type {{ token?: string, agent: Agent }} */ (
        await api('POST', '/api/v1/auth/login', { email: address, password: password.value }));
      setToken(res && res.token);
      password.value = '';
      form.onsubmit = null;
      resolve(res.agent);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setLoginMessage(views, 'Wrong email or password.');
      else if (e instanceof ApiError && (e.status === 429 || e.status === 503)) {
        // Too many attempts, a locked account, or a hub busy checking passwords: the hub's
        // message says how long to wait.
        setLoginMessage(views, 'Not now: ' + e.message);
      } else setLoginMessage(views, 'Login failed: ' + ((e instanceof Error && e.message) || 'network error'));
    } finally {
      submit.disabled = false;
    }
  };
  setTimeout(() => email.focus(), 0);
}

/**
 * A server that refuses the websocket upgrade with HTTP 401 looks to the browser like any
 * other failed connect (close code 1006), so after a few failures we ask the REST API
 * whether our session is still valid.
 */
export async function sessionValid() {
  try {
    await api('GET', '/api/v1/me');
    return true;
  } catch (e) {
    return !(e instanceof ApiError && e.status === 401);
  }
}

/** Ends the agent's sessions (every token it holds, on every device) and the cookie. */
export async function logout() {
  try { await api('POST', '/api/v1/auth/logout'); } catch { /* cookie may already be gone */ }
  setToken(null);
}
