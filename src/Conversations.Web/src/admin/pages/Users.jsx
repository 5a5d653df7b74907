// Users of the tenant and their keys: create a user (then assign roles and issue a key), issue a key (shown once),
// list and revoke keys, delete a user.
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { copyText } from '../../shared/clipboard.js';
import { Icon } from '../../shared/icons.jsx';
import { t } from '../strings.js';
import { Badge, Card, DataTable, Dialog, ErrorNote, Field, Page, query, useAction, useLoad, usePages, when, useChange, useResetOnOpen } from '../ui.jsx';
import { confirmAction } from '../../shared/confirm.jsx';

const enc = encodeURIComponent;

export function Users({ me }) {
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState(null);
  const [keysOf, setKeysOf] = useState(null);
  const pages = usePages(async cursor => {
    const page = await api.get(`/v1/users${query({ cursor, limit: 25 })}`);
    return { items: page.users, next: page.nextCursor };
  });
  // The ACL roles of each user: a user without one can sign in but reads no documents.
  const acl = useLoad(() => api.get('/v1/acl'));
  const aclRoles = new Map((acl.data?.users ?? []).map(u => [u.userId, u.roles]));
  const action = useAction();
  const change = useChange();

  async function remove(u) {
    if (!(await confirmAction(t('Delete user {u}? Their conversations, memory, keys and feedback are deleted; usage stays as anonymous totals. This cannot be undone.', { u: u.displayName || u.userId }), { action: t('delete'), cancel: t('cancel') }))) return;
    if (await action.run(() => api.delete(`/v1/users/${enc(u.userId)}`)) !== undefined) {
      if (created?.userId === u.userId) setCreated(null);
      pages.reload();
      acl.reload();
    }
  }

  return (
    <Page title={t('nav.users')} description={t('People who can sign in to this tenant, and their API keys.')}
      actions={<button class="button primary" type="button" onClick={() => { action.clear(); setCreating(true); }} {...change()}>{t('New user')}</button>}>
      {created && (
        <div class="note ok" role="status" data-testid="user-created">
          <div>
            <strong>{t('User {u} created.', { u: created.displayName || created.userId })}</strong>
            <div>{t('Next: assign roles, so they can read documents, and issue a key, so they can sign in.')}</div>
            <div class="next-steps">
              <a class="button small" href={`#/access?assign=${enc(created.userId)}`}>{t('Assign roles')}</a>
              <button class="button small" type="button" onClick={() => setKeysOf(created)}>{t('Issue a key')}</button>
            </div>
          </div>
          <button class="icon-button" type="button" aria-label={t('close')} onClick={() => setCreated(null)}><Icon name="close" size={16} /></button>
        </div>
      )}
      <ErrorNote error={pages.error} onRetry={pages.reload} />
      <ErrorNote error={action.error} />
      <Card>
        <DataTable label={t('Users')} rows={pages.data?.items} loading={pages.loading} pages={pages} rowKey={u => u.userId} columns={[
          { key: 'userId', label: t('User id'), render: u => <code>{u.userId}</code> },
          { key: 'displayName', label: t('Name') },
          { key: 'role', label: t('Role'), render: u => <Badge tone={u.role === 'tenant_admin' ? 'accent' : 'neutral'}>{t(`role.${u.role}`)}</Badge> },
          { key: 'aclRoles', label: t('Access roles'), render: u => !acl.data ? '—' : aclRoles.get(u.userId)?.length
            ? aclRoles.get(u.userId).map(r => <Badge key={r} tone="accent">{r}</Badge>)
            : <a href={`#/access?assign=${enc(u.userId)}`} title={t('No roles: this user reads no documents. Assign roles.')}><Badge tone="warn">{t('no roles')}</Badge></a> },
          { key: 'createdAt', label: t('Created'), render: u => when(u.createdAt) },
          { key: 'actions', label: '', align: 'right', actions: true, render: u => (
            <span class="row-actions">
              <button class="button small" type="button" onClick={() => setKeysOf(u)}>{t('Keys')}</button>
              {u.userId !== me?.userId && <button class="button small danger" type="button" onClick={() => remove(u)} {...change()}>{t('delete')}</button>}
            </span>
          ) },
        ]} />
      </Card>
      <CreateUser open={creating} onClose={() => setCreating(false)} onCreated={u => { setCreating(false); setCreated(u); pages.reload(); acl.reload(); }} />
      <Keys user={keysOf} onClose={() => setKeysOf(null)} />
    </Page>
  );
}

const blankUser = { userId: '', displayName: '', role: 'user' };

function CreateUser({ open, onClose, onCreated }) {
  const [form, setForm] = useState(blankUser);
  const action = useAction();
  const change = useChange();
  useResetOnOpen(open, () => { setForm(blankUser); action.clear(); });
  const set = k => e => setForm(f => ({ ...f, [k]: e.currentTarget.value }));
  async function submit(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const user = await action.run(() => api.post('/v1/users', form));
    if (user) { setForm(blankUser); onCreated(user); }
  }
  return (
    <Dialog title={t('New user')} open={open} onClose={() => { action.clear(); onClose(); }}>
      <form class="form" onSubmit={submit} {...action.formProps}>
        <Field label={t('User id')} hint={t('Letters, digits, . _ - @')}>
          <input class="input" required maxLength={64} pattern="[A-Za-z0-9._@\-]{1,64}" title={t('1–64 letters, digits, . _ - @ (no spaces)')} value={form.userId} onInput={set('userId')} />
        </Field>
        <Field label={t('Name')}><input class="input" maxLength={200} value={form.displayName} onInput={set('displayName')} /></Field>
        <Field label={t('Role')}>
          <select class="input" value={form.role} onChange={set('role')}>
            <option value="user">{t('role.user')}</option>
            <option value="tenant_admin">{t('role.tenant_admin')}</option>
          </select>
        </Field>
        <ErrorNote error={action.error} />
        <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('create')}</button></div>
      </form>
    </Dialog>
  );
}

function Keys({ user, onClose }) {
  const [issued, setIssued] = useState(null);
  const [days, setDays] = useState('');
  const [scope, setScope] = useState('');
  const keys = useLoad(() => user ? api.get(`/v1/users/${enc(user.userId)}/keys`) : Promise.resolve(null), [user?.userId]);
  const action = useAction();
  const change = useChange();

  async function issue(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const key = await action.run(() => api.post(`/v1/users/${enc(user.userId)}/keys${query({ expiresInDays: days.trim(), scope })}`));
    if (key) { setIssued(key); setDays(''); setScope(''); keys.reload(); }
  }
  // A successor with the same role and scope; the old key keeps working for an hour, so its holder can switch.
  async function rotate(k) {
    if (!(await confirmAction(t('Rotate key {id}? A new key is shown once; the old one stops working in an hour.', { id: k.keyId }), { action: t('Rotate'), cancel: t('cancel') }))) return;
    const key = await action.run(() => api.post(`/v1/keys/${enc(k.keyId)}/rotate`));
    if (key) { setIssued(key); keys.reload(); }
  }
  async function revoke(k) {
    if (!(await confirmAction(t('Revoke key {id}? Whoever uses it is signed out at once.', { id: k.keyId }), { action: t('Revoke'), cancel: t('cancel') }))) return;
    if (await action.run(() => api.delete(`/v1/keys/${enc(k.keyId)}`)) !== undefined) keys.reload();
  }

  return (
    <Dialog title={user ? t('Keys of {u}', { u: user.displayName || user.userId }) : ''} open={!!user} onClose={() => { setIssued(null); setDays(''); action.clear(); onClose(); }}>
      {issued && (
        <div class="note ok" role="status">
          <div><strong>{t('New key — copy it now, it is not shown again:')}</strong><pre class="secret" data-testid="issued-key">{issued.key}</pre></div>
          <button class="button small" type="button" onClick={() => copyText(issued.key)}>{t('Copy')}</button>
        </div>
      )}
      <form class="inline-form" onSubmit={issue} {...action.formProps}>
        <Field label={t('Expires after (days)')}><input class="input" type="number" min="1" max="3650" step="1" inputMode="numeric" placeholder={t('never')} value={days} onInput={e => setDays(e.currentTarget.value)} /></Field>
        <Field label={t('Allows')}>
          <select class="input" value={scope} onChange={e => setScope(e.currentTarget.value)}>
            <option value="">{t(user?.role === 'tenant_admin' ? 'scope.admin' : 'scope.chat')}</option>
            {user?.role === 'tenant_admin' && <option value="chat">{t('scope.chat')}</option>}
            <option value="read-only">{t('scope.read-only')}</option>
          </select>
        </Field>
        <button class="button primary" type="submit" {...change(action.busy)}>{t('Issue key')}</button>
      </form>
      <ErrorNote error={action.error || keys.error} />
      <DataTable label={t('Keys')} rows={keys.data?.keys} loading={keys.loading} rowKey={k => k.keyId} columns={[
        { key: 'keyId', label: t('Key id'), render: k => <code>{k.keyId}</code> },
        { key: 'createdAt', label: t('Created'), render: k => when(k.createdAt) },
        { key: 'lastUsedAt', label: t('Last used'), render: k => when(k.lastUsedAt) },
        { key: 'expiresAt', label: t('Expires'), render: k => k.expiresAt ? when(k.expiresAt) : t('never') },
        { key: 'scope', label: t('Allows'), render: k => t(`scope.${k.scope ?? (k.role === 'tenant_admin' ? 'admin' : 'chat')}`) },
        { key: 'revoke', label: '', align: 'right', actions: true, render: k => <>
          <button class="button small" type="button" onClick={() => rotate(k)} {...change()}>{t('Rotate')}</button>{' '}
          <button class="button small danger" type="button" onClick={() => revoke(k)} {...change()}>{t('Revoke')}</button>
        </> },
      ]} />
    </Dialog>
  );
}
