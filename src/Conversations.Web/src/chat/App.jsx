// The chat: sign-in, then the conversation list (a drawer on a phone) beside the open conversation.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { session } from '../shared/session.js';
import { SignIn, restoreSession } from '../shared/SignIn.jsx';
import { describeError, useT } from '../shared/i18n.js';
import { Icon } from '../shared/icons.jsx';
import { markdownText } from '../shared/markdown.js';
import { strings } from './strings.js';
import { Sidebar } from './Sidebar.jsx';
import { Conversation } from './Conversation.jsx';
import { forgetOthersTyping, takeDraft } from './draft.js';

let viewCount = 0;
const newView = id => ({ key: ++viewCount, id });
const idFromHash = () => (location.hash.match(/^#\/c\/([A-Za-z0-9._@-]+)$/) || [])[1] || null;

// The chat is for a tenant's users (a tenant admin may chat too); an operator key gets a sentence, not a broken chat.
const chatRoles = ['user', 'tenant_admin'];

export function App() {
  const t = useT(strings);
  const accept = m => (m.tenantId && chatRoles.includes(m.role) ? null : t(m.role === 'operator' ? 'signin.operator' : 'signin.notChat'));
  markdownText.copy = t('action.copy');
  markdownText.copied = t('action.copied');
  const [me, setMe] = useState(session.me);
  const [ready, setReady] = useState(!session.key);
  const [bootError, setBootError] = useState(null); // /v1/me could not be reached: the key is kept, and tried again

  // Only a refused key (401) signs out; offline or a failing server shows why, with Try again.
  const boot = () => {
    setBootError(null);
    restoreSession().then(m => { if (!m || accept(m)) { session.signOut(); m = null; } setMe(m); setReady(true); },
      e => { e.offline = !navigator.onLine; setBootError(e); });
  };
  useEffect(() => {
    const off = session.subscribe(s => setMe(s.me));
    if (session.key) boot();
    return off;
  }, []);
  // Offline when the page opened: tried again by itself once the browser is back online.
  useEffect(() => {
    if (!bootError) return undefined;
    window.addEventListener('online', boot);
    // Back online between the failure and this listener (an effect runs after the screen is shown): try now.
    if (bootError.offline && navigator.onLine) boot();
    return () => window.removeEventListener('online', boot);
  }, [bootError]);

  if (bootError) {
    return (
      <main class="signin">
        <div class="signin-card" role="alert" data-testid="boot-error">
          <h1>{t('app.name')}</h1>
          <p>{t('boot.failed')}</p>
          <p class="muted">{bootError.status != null ? describeError(t, bootError) : t('error.server')}</p>
          <button class="button primary wide" onClick={boot}><Icon name="refresh" size={16} />{t('retry')}</button>
          <button class="button wide" onClick={() => { session.signOut(); setBootError(null); setReady(true); }}>{t('signout')}</button>
        </div>
      </main>
    );
  }
  if (!ready) return <div class="boot" aria-busy="true"><p class="muted center">{t('loading')}</p></div>;
  if (!me) return <SignIn t={t} product={t('app.name')} accept={accept} />;
  return <Chat t={t} me={me} />;
}

function Chat({ t, me }) {
  // A question sent as the key expired comes back into its conversation's composer (draft.js).
  const [draft] = useState(() => { forgetOthersTyping(me.userId); return takeDraft(me.userId); });
  // The view's key changes only when the user opens another conversation, not when a new chat gets its id, so the
  // first answer's stream is not cut by the list learning about the conversation.
  const [view, setView] = useState(() => newView(idFromHash() || draft?.conversationId || null));
  const [draftView] = useState(view.key); // the draft goes to the first conversation shown only
  const [drawer, setDrawer] = useState(false);
  const [listVersion, setListVersion] = useState(0);
  const [renamed, setRenamed] = useState(null); // { id, title }: the latest rename in the list, for the open header
  const refreshList = useCallback(() => setListVersion(v => v + 1), []);

  const open = useCallback(id => {
    setView(v => (v.id === id && id ? v : newView(id)));
    setDrawer(false);
    history.replaceState(null, '', id ? `#/c/${id}` : location.pathname);
  }, []);

  useEffect(() => {
    if (view.id && !idFromHash()) history.replaceState(null, '', `#/c/${view.id}`); // opened for a draft
    const onHash = () => { const id = idFromHash(); setView(v => (v.id === id ? v : newView(id))); };
    window.addEventListener('hashchange', onHash);
    return () => {
      window.removeEventListener('hashchange', onHash);
      // Signed out (or the key expired): whoever signs in next in this tab must not land in this user's conversation.
      history.replaceState(null, '', location.pathname);
    };
  }, []);

  useEffect(() => {
    if (!drawer) return;
    const onKey = e => { if (e.key === 'Escape') setDrawer(false); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawer]);

  const created = useCallback(id => {
    setView(v => ({ ...v, id }));
    history.replaceState(null, '', `#/c/${id}`);
    refreshList();
  }, [refreshList]);

  // The open conversation is gone from the platform (discarded, or deleted elsewhere): the list refreshes without it.
  const gone = useCallback(() => {
    setView(v => ({ ...v, id: null }));
    history.replaceState(null, '', location.pathname);
    refreshList();
  }, [refreshList]);

  return (
    <div class={`layout${drawer ? ' drawer-open' : ''}`}>
      <Sidebar t={t} me={me} currentId={view.id} version={listVersion} onOpen={open} onNew={() => open(null)} drawerOpen={drawer}
        onClose={() => setDrawer(false)} onDeleted={id => { if (id === view.id) open(null); }} onRenamed={(id, title) => setRenamed({ id, title })} />
      <div class="scrim" onClick={() => setDrawer(false)} aria-hidden="true" />
      <Conversation key={view.key} t={t} me={me} conversationId={view.id} renamed={renamed} onCreated={created} onGone={gone} onActivity={refreshList}
        onMenu={() => setDrawer(true)} drawerOpen={drawer} draft={view.key === draftView ? draft?.text : undefined} />
    </div>
  );
}
