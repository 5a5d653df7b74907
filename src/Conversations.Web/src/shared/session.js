// Who is signed in. A key is entered once and kept for the browser session (sessionStorage: closing the tab signs
// out). Each app keeps its own key (`session.use(app)` before the first render), so signing in to the admin console
// leaves the chat's key alone and the other way round. The seam for another sign-in (OIDC): a method only has to
// produce the Authorization credential that `session.key` hands to the API client, and GET /v1/me answers who it
// names the same way.
const listeners = new Set();
let storageKey = null;

export const session = {
  key: '',
  /** Who the key names: { tenantId, tenantName, userId, role }, once /v1/me answered. */
  me: null,
  /** Chooses the app's own stored key ('chat', 'admin') and loads it. */
  use(app) {
    storageKey = `conversations.${app}.key`;
    this.key = sessionStorage.getItem(storageKey) || '';
    this.me = null;
  },
  /** Keeps a key that /v1/me accepted. */
  signIn(key, me) {
    this.key = key;
    this.me = me;
    if (storageKey) sessionStorage.setItem(storageKey, key);
    notify();
  },
  signOut() {
    this.key = '';
    this.me = null;
    if (storageKey) sessionStorage.removeItem(storageKey);
    notify();
  },
  /** A 401 on the session's own key: the key was revoked or expired, so ask for one again. */
  expired(error) {
    this.signOut();
    this.lastError = error;
  },
  subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
};

function notify() { for (const fn of listeners) fn(session); }
