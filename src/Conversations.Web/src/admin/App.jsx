// The console's shell: sign-in with a key (shared with the chat), a sidebar of sections, a top bar that says who is
// signed in, and the page of the current hash route (#/usage, #/documents, ...).
import { useEffect, useRef, useState } from 'preact/hooks';
import { session } from '../shared/session.js';
import { SignIn, restoreSession } from '../shared/SignIn.jsx';
import { NavIcon } from './icons.jsx';
import { t } from './strings.js';
import { ReadOnly } from './ui.jsx';
import { Overview } from './pages/Overview.jsx';
import { Users } from './pages/Users.jsx';
import { Access } from './pages/Access.jsx';
import { Documents } from './pages/Documents.jsx';
import { Moderation } from './pages/Moderation.jsx';
import { Models } from './pages/Models.jsx';
import { Canary } from './pages/Canary.jsx';
import { Evaluations } from './pages/Evaluations.jsx';
import { Batches } from './pages/Batches.jsx';
import { Budget } from './pages/Budget.jsx';
import { Usage } from './pages/Usage.jsx';
import { ModerationEvents, FeedbackLog, RoutingEvents } from './pages/Logs.jsx';
import { Drift } from './pages/Drift.jsx';
import { Settings } from './pages/Settings.jsx';
import { Tenants } from './pages/Tenants.jsx';

// Sections of a tenant admin's console, grouped as the sidebar shows them.
const tenantSections = [
  { group: 'nav.group.overview', items: [
    { id: 'overview', icon: 'home', page: Overview },
    { id: 'usage', icon: 'chart', page: Usage },
  ] },
  { group: 'nav.group.people', items: [
    { id: 'users', icon: 'users', page: Users },
    { id: 'access', icon: 'shield', page: Access },
  ] },
  { group: 'nav.group.knowledge', items: [
    { id: 'documents', icon: 'book', page: Documents },
  ] },
  { group: 'nav.group.models', items: [
    { id: 'models', icon: 'cpu', page: Models },
    { id: 'canary', icon: 'flask', page: Canary },
    { id: 'evaluations', icon: 'checklist', page: Evaluations },
    { id: 'batches', icon: 'stacks', page: Batches },
    { id: 'budget', icon: 'wallet', page: Budget },
  ] },
  { group: 'nav.group.safety', items: [
    { id: 'moderation', icon: 'filter', page: Moderation },
  ] },
  { group: 'nav.group.logs', items: [
    { id: 'moderation-events', icon: 'alert', page: ModerationEvents },
    { id: 'feedback', icon: 'thumbUp', page: FeedbackLog },
    { id: 'routing-events', icon: 'list', page: RoutingEvents },
    { id: 'drift', icon: 'chart', page: Drift },
  ] },
  { group: 'nav.group.tenant', items: [
    { id: 'settings', icon: 'settings', page: Settings },
  ] },
];

const operatorSections = [{ group: 'nav.group.platform', items: [{ id: 'tenants', icon: 'building', page: Tenants }] }];

function currentRoute() { return location.hash.replace(/^#\/?/, '').split('?')[0]; }

// The width below which the sections are a drawer behind the menu button (admin.css).
const drawerQuery = '(max-width: 900px)';

export function App() {
  const [me, setMe] = useState(session.me);
  const [restoring, setRestoring] = useState(!!session.key && !session.me);
  const [route, setRoute] = useState(currentRoute());
  const [menuOpen, setMenuOpen] = useState(false);

  useEffect(() => session.subscribe(s => setMe(s.me)), []);
  useEffect(() => {
    if (!restoring) return;
    // Unreached (offline, a 5xx): the sign-in form, with the key kept, as before restoreSession told the two apart.
    restoreSession().catch(() => null).then(m => { if (m && accept(m)) session.signOut(); else setMe(m); setRestoring(false); });
  }, [restoring]);
  useEffect(() => {
    const onHash = () => { setRoute(currentRoute()); setMenuOpen(false); };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  // The drawer on a phone: opened, it takes the focus and Escape closes it; closed, it gives the focus back to the
  // menu button. A window widened past the drawer closes it, so the page is not left inert behind a sidebar.
  const menuButton = useRef(null);
  const sidebar = useRef(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (menuOpen) (sidebar.current?.querySelector('.nav-item.active') ?? sidebar.current?.querySelector('a'))?.focus();
    else if (wasOpen.current && menuButton.current?.offsetParent) menuButton.current.focus();
    wasOpen.current = menuOpen;
    if (!menuOpen) return undefined;
    const onKey = e => { if (e.key === 'Escape') setMenuOpen(false); };
    const wide = matchMedia(drawerQuery);
    const onWide = () => { if (!wide.matches) setMenuOpen(false); };
    addEventListener('keydown', onKey);
    wide.addEventListener('change', onWide);
    return () => { removeEventListener('keydown', onKey); wide.removeEventListener('change', onWide); };
  }, [menuOpen]);

  if (restoring) return <div class="boot muted">{t('loading')}</div>;
  if (!me || !session.key) return <SignIn t={t} product={t('product')} accept={accept} />;

  const sections = me.role === 'operator' ? operatorSections : tenantSections;
  const items = sections.flatMap(s => s.items);
  const active = items.find(i => i.id === route) ?? items[0];
  const Current = active.page;

  return (
    <div class={`shell ${menuOpen ? 'menu-open' : ''}`}>
      <aside class="sidebar" id="admin-nav" ref={sidebar} aria-label={t('nav.label')}>
        <div class="brand">
          <img src="/icons/icon.svg" alt="" width="28" height="28" />
          <div>
            <strong>{t('product')}</strong>
            <small class="muted">{me.role === 'operator' ? t('role.operator') : me.tenantName}</small>
          </div>
          {/* A touch screen reader has no Escape: the open drawer closes from inside it too. */}
          <button class="icon-button menu-close" type="button" aria-label={t('nav.close')} title={t('nav.close')} onClick={() => setMenuOpen(false)}>
            <NavIcon name="close" />
          </button>
        </div>
        <nav>
          {sections.map(s => (
            <div class="nav-group" key={s.group}>
              <div class="nav-group-title">{t(s.group)}</div>
              {s.items.map(i => (
                <a key={i.id} href={`#/${i.id}`} class={`nav-item ${i === active ? 'active' : ''}`} aria-current={i === active ? 'page' : undefined}>
                  <NavIcon name={i.icon} /> <span>{t(`nav.${i.id}`)}</span>
                </a>
              ))}
            </div>
          ))}
        </nav>
        <a class="nav-item back" href="/"><NavIcon name="chat" /> <span>{t('nav.chat')}</span></a>
      </aside>
      <div class="scrim" onClick={() => setMenuOpen(false)} aria-hidden="true" />
      <div class="main" inert={menuOpen || undefined}>
        <header class="topbar">
          <button ref={menuButton} class="icon-button menu-button" type="button" aria-label={t('nav.open')}
            aria-expanded={menuOpen ? 'true' : 'false'} aria-controls="admin-nav" onClick={() => setMenuOpen(o => !o)}>
            <NavIcon name="menu" />
          </button>
          <div class="crumb muted">{me.role === 'operator' ? t('nav.group.platform') : me.tenantName} / <strong>{t(`nav.${active.id}`)}</strong></div>
          <div class="who" aria-label={t('signedInAs')}>
            <span class="avatar" aria-hidden="true">{(me.displayName || me.userId || 'O').slice(0, 1).toUpperCase()}</span>
            <span class="who-text">
              <strong data-testid="who-user">{me.displayName || me.userId || t('role.operator')}</strong>
              <small class="muted" data-testid="who-role">{t(`role.${me.role}`)}{me.tenantId ? ` · ${me.tenantId}` : ''}</small>
            </span>
            <button class="icon-button" type="button" aria-label={t('signout')} title={t('signout')} onClick={() => session.signOut()}>
              <NavIcon name="logout" />
            </button>
          </div>
        </header>
        <main class="content" id="content">
          {me.scope === 'read-only' && <div class="note warn read-only-notice" role="note" data-testid="read-only-notice">{t('readOnly.notice')}</div>}
          <ReadOnly.Provider value={me.scope === 'read-only'}>
            <Current key={active.id} me={me} />
          </ReadOnly.Provider>
        </main>
      </div>
    </div>
  );
}

// The console is for tenant admins and operators; a user key gets a sentence, not an empty console.
function accept(me) { return me.role === 'user' ? t('signin.userKey') : null; }
