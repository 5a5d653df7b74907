// The sign-in screen shared by the apps: a key is checked against GET /v1/me and kept for the session.
import { useState } from 'preact/hooks';
import { request } from './api.js';
import { session } from './session.js';
import { describeError } from './i18n.js';

/** Shows the key form; calls session.signIn when /v1/me accepts the key. `accept(me)` may refuse a role with a message. */
export function SignIn({ t, product, accept }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(session.lastError ? t('signin.expired') : '');

  async function submit(e) {
    e.preventDefault();
    const value = key.trim();
    if (!value) return;
    setBusy(true);
    setError('');
    try {
      const me = await (await request('/v1/me', { key: value })).json();
      const refusal = accept?.(me);
      if (refusal) setError(refusal);
      else { session.lastError = null; session.signIn(value, me); }
    } catch (err) {
      setError(err.status === 401 || err.status === 403 ? t('signin.invalid') : describeError(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <form class="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div class="brand-mark" aria-hidden="true"><img src="/icons/icon.svg" alt="" width="44" height="44" /></div>
        <h1 id="signin-title">{product}</h1>
        <p class="muted">{t('signin.intro')}</p>
        <label class="field">
          <span>{t('signin.key')}</span>
          <input type="password" name="key" autocomplete="current-password" placeholder="cvk_…" value={key}
            onInput={e => setKey(e.currentTarget.value)} autofocus required aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'signin-error' : undefined} />
        </label>
        {error && <p id="signin-error" class="form-error" role="alert">{error}</p>}
        <button class="button primary wide" type="submit" disabled={busy}>{busy ? t('signin.checking') : t('signin.submit')}</button>
      </form>
    </main>
  );
}

/**
 * Loads /v1/me for a key kept from earlier in the session; resolves to null when the key is no longer accepted (401,
 * which also signs out). Anything else (offline, a 5xx, no answer within 15 s) rejects with the error, and the key is
 * kept: a reload in a tunnel or during a deploy must not sign the user out.
 */
export async function restoreSession() {
  if (!session.key) return null;
  try {
    const me = await (await request('/v1/me', { headersWithinMs: 15_000 })).json();
    session.me = me;
    return me;
  } catch (e) {
    if (e?.status === 401) return null;
    throw e;
  }
}
