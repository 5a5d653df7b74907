// Users of the tenant and their keys: create a user, issue a key (shown once), list and revoke keys.
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { t } from '../strings.js';
import { Badge, Card, DataTable, Dialog, ErrorNote, Field, Page, confirmAction, query, useAction, useLoad, usePages, when } from '../ui.jsx';

export function Users() {
  const [creating, setCreating] = useState(false);
  const [keysOf, setKeysOf] = useState(null);
  const pages = usePages(async cursor => {
    const page = await api.get(`/v1/users${query({ cursor, limit: 25 })}`);
    return { items: page.users, next: page.nextCursor };
  });

  return (
    <Page title={t('nav.users')} description={t('People who can sign in to this tenant, and their API keys.')}
      actions={<button class="button primary" type="button" onClick={() => setCreating(true)}>{t('New user')}</button>}>
      <ErrorNote error={pages.error} onRetry={pages.reload} />
      <Card>
        <DataTable label={t('Users')} rows={pages.data?.items} loading={pages.loading} pages={pages} rowKey={u => u.userId} columns={[
          { key: 'userId', label: t('User id'), render: u => <code>{u.userId}</code> },
          { key: 'displayName', label: t('Name') },
          { key: 'role', label: t('Role'), render: u => <Badge tone={u.role === 'tenant_admin' ? 'accent' : 'neutral'}>{t(`role.${u.role}`)}</Badge> },
          { key: 'createdAt', label: t('Created'), render: u => when(u.createdAt) },
          { key: 'keys', label: '', align: 'right', render: u => <button class="button small" type="button" onClick={() => setKeysOf(u)}>{t('Keys')}</button> },
        ]} />
      </Card>
      <CreateUser open={creating} onClose={() => setCreating(false)} onCreated={() => { setCreating(false); pages.reload(); }} />
      <Keys user={keysOf} onClose={() => setKeysOf(null)} />
    </Page>
  );
}

function CreateUser({ open, onClose, onCreated }) {
  const [form, setForm] = useState({ userId: '', displayName: '', role: 'user' });
  const action = useAction();
  const set = k => e => setForm(f => ({ ...f, [k]: e.currentTarget.value }));
  async function submit(e) {
    e.preventDefault();
    if (await action.run(() => api.post('/v1/users', form))) { setForm({ userId: '', displayName: '', role: 'user' }); onCreated(); }
  }
  return (
    <Dialog title={t('New user')} open={open} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <Field label={t('User id')} hint={t('Letters, digits, . _ - @')}><input class="input" required value={form.userId} onInput={set('userId')} /></Field>
        <Field label={t('Name')}><input class="input" value={form.displayName} onInput={set('displayName')} /></Field>
        <Field label={t('Role')}>
          <select class="input" value={form.role} onChange={set('role')}>
            <option value="user">{t('role.user')}</option>
            <option value="tenant_admin">{t('role.tenant_admin')}</option>
          </select>
        </Field>
        <ErrorNote error={action.error} />
        <div class="form-actions"><button class="button primary" type="submit" disabled={action.busy}>{t('create')}</button></div>
      </form>
    </Dialog>
  );
}

function Keys({ user, onClose }) {
  const [issued, setIssued] = useState(null);
  const [days, setDays] = useState('');
  const keys = useLoad(() => user ? api.get(`/v1/users/${encodeURIComponent(user.userId)}/keys`) : Promise.resolve(null), [user?.userId]);
  const action = useAction();

  async function issue() {
    const key = await action.run(() => api.post(`/v1/users/${encodeURIComponent(user.userId)}/keys${query({ expiresInDays: days })}`));
    if (key) { setIssued(key); keys.reload(); }
  }
  async function revoke(k) {
    if (!confirmAction(t('Revoke key {id}? Whoever uses it is signed out at once.', { id: k.keyId }))) return;
    if (await action.run(() => api.delete(`/v1/keys/${encodeURIComponent(k.keyId)}`)) !== undefined) keys.reload();
  }

  return (
    <Dialog title={user ? t('Keys of {u}', { u: user.displayName || user.userId }) : ''} open={!!user} onClose={() => { setIssued(null); onClose(); }}>
      {issued && (
        <div class="note ok" role="status">
          <div><strong>{t('New key — copy it now, it is not shown again:')}</strong><pre class="secret" data-testid="issued-key">{issued.key}</pre></div>
          <button class="button small" type="button" onClick={() => navigator.clipboard?.writeText(issued.key)}>{t('Copy')}</button>
        </div>
      )}
      <div class="inline-form">
        <Field label={t('Expires after (days)')}><input class="input" type="number" min="1" max="3650" placeholder={t('never')} value={days} onInput={e => setDays(e.currentTarget.value)} /></Field>
        <button class="button primary" type="button" onClick={issue} disabled={action.busy}>{t('Issue key')}</button>
      </div>
      <ErrorNote error={action.error || keys.error} />
      <DataTable label={t('Keys')} rows={keys.data?.keys} loading={keys.loading} rowKey={k => k.keyId} columns={[
        { key: 'keyId', label: t('Key id'), render: k => <code>{k.keyId}</code> },
        { key: 'createdAt', label: t('Created'), render: k => when(k.createdAt) },
        { key: 'lastUsedAt', label: t('Last used'), render: k => when(k.lastUsedAt) },
        { key: 'expiresAt', label: t('Expires'), render: k => k.expiresAt ? when(k.expiresAt) : t('never') },
        { key: 'revoke', label: '', align: 'right', render: k => <button class="button small danger" type="button" onClick={() => revoke(k)}>{t('Revoke')}</button> },
      ]} />
    </Dialog>
  );
}
