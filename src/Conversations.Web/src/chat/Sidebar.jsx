// The conversation list: new chat, search (titles and messages), rename and delete, and who is signed in.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { session } from '../shared/session.js';
import { describeError, language } from '../shared/i18n.js';
import { Icon } from '../shared/icons.jsx';
import { confirmAction } from '../shared/confirm.jsx';

const pageSize = 50;

export function Sidebar({ t, me, currentId, version, onOpen, onNew, onClose, onDeleted, onRenamed, drawerOpen }) {
  const nav = useRef(null);
  // An opened drawer takes the focus, so a keyboard user lands in it.
  useEffect(() => { if (drawerOpen) nav.current?.querySelector('.new-chat')?.focus(); }, [drawerOpen]);
  const [query, setQuery] = useState('');
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // A search reads messages too and may answer after a later keystroke's: only the latest request's page is shown.
  const latest = useRef(0);

  async function load(cursor) {
    const request = ++latest.current;
    const q = query.trim();
    const params = new URLSearchParams({ limit: String(pageSize) });
    if (q) params.set('q', q);
    if (cursor) params.set('cursor', cursor);
    try {
      const page = await api.get(`/v1/conversations?${params}`, { headersWithinMs: 15_000 });
      if (request !== latest.current) return;
      setItems(prev => (cursor ? [...(prev || []), ...page.conversations] : page.conversations));
      setNext(page.nextCursor);
      setError(null);
    } catch (e) {
      if (request === latest.current) setError(e);
    }
  }

  useEffect(() => {
    const timer = setTimeout(() => load(null), query ? 200 : 0);
    return () => clearTimeout(timer);
  }, [query, version]);

  // Listed while offline: the list loads again by itself once the connection is back.
  useEffect(() => {
    if (error?.status !== 0) return undefined;
    const again = () => load(null);
    window.addEventListener('online', again);
    return () => window.removeEventListener('online', again);
  }, [error]);

  // The next page, once: the button says it is loading and takes no second press meanwhile.
  async function more() {
    if (loadingMore) return;
    setLoadingMore(true);
    try { await load(next); } finally { setLoadingMore(false); }
  }

  async function rename(item, title) {
    setEditing(null);
    setError(null);
    title = title.trim();
    if (!title || title === item.title) return;
    setItems(list => list.map(c => (c.conversationId === item.conversationId ? { ...c, title } : c)));
    try {
      const renamed = await api.patch(`/v1/conversations/${item.conversationId}`, { title });
      onRenamed?.(item.conversationId, renamed?.title ?? title);
    } catch (e) { setError(e); load(null); }
  }

  async function remove(item) {
    if (!(await confirmAction(t('nav.deleteConfirm', { title: item.title }), { action: t('nav.delete'), cancel: t('cancel') }))) return;
    setError(null);
    try {
      await api.delete(`/v1/conversations/${item.conversationId}`);
      setItems(list => list.filter(c => c.conversationId !== item.conversationId));
      onDeleted(item.conversationId);
    } catch (e) { setError(e); }
  }

  const groups = groupByDate(items || [], t);
  return (
    <nav class="sidebar" ref={nav} aria-label={t('nav.list')}>
      <div class="sidebar-top">
        <div class="brand"><img src="/icons/icon.svg" alt="" width="28" height="28" /><span>{t('app.name')}</span></div>
        <button class="icon-button only-phone" onClick={onClose} aria-label={t('nav.close')}><Icon name="close" /></button>
      </div>
      <button class="button new-chat" onClick={onNew}><Icon name="plus" />{t('nav.new')}</button>
      <div class="search">
        <Icon name="search" size={16} />
        <input type="search" value={query} onInput={e => setQuery(e.currentTarget.value)} placeholder={t('nav.search')}
          aria-label={t('nav.search')} />
      </div>
      <div class="conversation-list">
        {error && <p class="form-error" role="alert">{describeError(t, error)} <button class="link" onClick={() => load(null)}>{t('retry')}</button></p>}
        {items === null && !error && <p class="muted empty" role="status">{t('loading')}</p>}
        {items && items.length === 0 && <p class="muted empty">{!query ? t('nav.empty') : next ? t('nav.noMatchYet') : t('nav.noMatch')}</p>}
        {groups.map(g => (
          <section key={g.label} aria-label={g.label}>
            <h2 class="group-label">{g.label}</h2>
            <ul>
              {g.items.map(c => (
                <li key={c.conversationId} class={`conversation${c.conversationId === currentId ? ' active' : ''}`}>
                  {editing === c.conversationId
                    ? <RenameField t={t} item={c} onDone={title => rename(c, title)} onCancel={() => setEditing(null)} />
                    : <>
                      <button class="conversation-open" onClick={() => onOpen(c.conversationId)}
                        aria-current={c.conversationId === currentId ? 'page' : undefined} title={c.title}>
                        <span class="conversation-title">{c.title}</span>
                        {c.match && <span class="conversation-match" data-testid="search-match">{highlight(c.match, query.trim())}</span>}
                      </button>
                      <span class="conversation-actions">
                        <button class="icon-button small" onClick={() => setEditing(c.conversationId)} aria-label={`${t('nav.rename')}: ${c.title}`}><Icon name="edit" size={15} /></button>
                        <button class="icon-button small" onClick={() => remove(c)} aria-label={`${t('nav.delete')}: ${c.title}`}><Icon name="trash" size={15} /></button>
                      </span>
                    </>}
                </li>
              ))}
            </ul>
          </section>
        ))}
        {/* A search reads a bounded number of conversations per request: older ones are searched on asking. */}
        {next && <button class="button wide subtle" onClick={more} disabled={loadingMore} aria-busy={loadingMore ? 'true' : undefined}>
          {loadingMore ? t('loading') : query.trim() ? t('nav.searchOlder') : t('nav.more')}</button>}
      </div>
      <div class="me">
        <span class="avatar" aria-hidden="true">{initials(me.displayName || me.userId)}</span>
        <span class="me-text">
          <span class="me-name" data-testid="me-user">{me.displayName || me.userId}</span>
          <span class="me-tenant muted" data-testid="me-tenant">{me.tenantName} · {t(`role.${me.role}`)}</span>
        </span>
        {me.role === 'tenant_admin' && (
          <a class="icon-button" href="/admin/" aria-label={t('nav.admin')} title={t('nav.admin')}><Icon name="settings" /></a>
        )}
        <button class="icon-button" onClick={() => session.signOut()} aria-label={t('signout')} title={t('signout')}><Icon name="logout" /></button>
      </div>
    </nav>
  );
}

function RenameField({ t, item, onDone, onCancel }) {
  const input = useRef(null);
  const finished = useRef(false);
  useEffect(() => { input.current?.focus(); input.current?.select(); }, []);
  // Enter submits and the blur that follows would submit again: the first one wins.
  const finish = value => { if (!finished.current) { finished.current = true; onDone(value); } };
  return (
    <form class="rename" onSubmit={e => { e.preventDefault(); finish(input.current.value); }}>
      <input ref={input} class="input" defaultValue={item.title} maxLength={200} aria-label={t('nav.renameLabel')}
        onKeyDown={e => { if (e.key === 'Escape') { e.stopPropagation(); finished.current = true; onCancel(); } }}
        onBlur={e => finish(e.currentTarget.value)} />
    </form>
  );
}

// The searched text marked in a match (case-insensitively, as the server found it); the match is stored Markdown, shown
// without its emphasis and code marks and without citation markers.
function highlight(match, q) {
  const text = match.replace(/\s*\[[^\]\s#]+#\d+\]/g, '').replace(/\*\*|__|`+/g, '');
  const at = q ? text.toLowerCase().indexOf(q.toLowerCase()) : -1;
  if (at < 0) return text;
  return <>{text.slice(0, at)}<mark>{text.slice(at, at + q.length)}</mark>{text.slice(at + q.length)}</>;
}

function initials(name) {
  const parts = String(name).trim().split(/\s+/);
  return ((parts[0]?.[0] || '') + (parts[1]?.[0] || '')).toUpperCase() || '?';
}

// Today, the previous week, then by month: what a chat list usually shows.
function groupByDate(items, t) {
  const today = new Date(); today.setHours(0, 0, 0, 0);
  const week = new Date(today); week.setDate(week.getDate() - 7);
  const month = new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en', { month: 'long', year: 'numeric' });
  const labels = { today: t('nav.today'), week: t('nav.week') };
  const groups = [];
  for (const c of items) {
    const at = new Date(c.updatedAt);
    const label = at >= today ? labels.today : at >= week ? labels.week : month.format(at);
    let g = groups[groups.length - 1];
    if (!g || g.label !== label) groups.push(g = { label, items: [] });
    g.items.push(c);
  }
  return groups;
}
