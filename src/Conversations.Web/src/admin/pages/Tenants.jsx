// The operator's page: every tenant with its user count, search and paging, and a form that opens a new tenant and
// shows its first admin key once.
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { copyText } from '../../shared/clipboard.js';
import { t } from '../strings.js';
import { Card, DataTable, Dialog, ErrorNote, Field, Filters, Page, fmt, query, useAction, useChange, usePages, useResetOnOpen, when } from '../ui.jsx';

export function Tenants() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState(null);
  const change = useChange();
  const pages = usePages(async cursor => {
    const page = await api.get(`/v1/tenants${query({ q: applied, cursor, limit: 25 })}`);
    return { items: page.tenants, next: page.nextCursor };
  }, [applied]);

  return (
    <Page title={t('nav.tenants')} description={t('Companies on this platform. Each has its own users, knowledge, models and bills.')}
      actions={<button class="button primary" type="button" onClick={() => setCreating(true)} {...change()}>{t('New tenant')}</button>}>
      {created && (
        <div class="note ok" role="status">
          <div><strong>{t('Tenant {id} created. Its admin key — copy it now, it is not shown again:', { id: created.tenantId })}</strong>
            <pre class="secret" data-testid="tenant-admin-key">{created.adminKey}</pre>
            <small>{t('The tenant\'s first admin, {u}, signs in with it here at /admin/ to set up users, documents and models.', { u: created.adminUserId })}</small></div>
          <button class="button small" type="button" onClick={() => copyText(created.adminKey)}>{t('Copy')}</button>
        </div>
      )}
      <Filters onSubmit={() => setApplied(search.trim())}>
        <Field label={t('Search')}><input class="input" type="search" value={search} placeholder={t('id or name')} onInput={e => setSearch(e.currentTarget.value)} /></Field>
        <button class="button" type="submit">{t('apply')}</button>
      </Filters>
      <ErrorNote error={pages.error} onRetry={pages.reload} />
      <Card>
        <DataTable label={t('nav.tenants')} rows={pages.data?.items} loading={pages.loading} pages={pages} rowKey={x => x.tenantId} columns={[
          { key: 'tenantId', label: t('Id'), render: x => <code>{x.tenantId}</code> },
          { key: 'name', label: t('Name'), render: x => <strong>{x.name}</strong> },
          { key: 'users', label: t('Users'), align: 'right', render: x => fmt(x.users) },
          { key: 'createdAt', label: t('Created'), render: x => when(x.createdAt) },
        ]} />
      </Card>
      <NewTenant open={creating} onClose={() => setCreating(false)} onCreated={c => { setCreating(false); setCreated(c); pages.reload(); }} />
    </Page>
  );
}

// The platform's id rules (a pattern attribute is compiled with the v flag, where '-' in a class must be escaped).
const tenantIdPattern = String.raw`[a-z0-9][a-z0-9\-]{1,62}`;
const userIdPattern = String.raw`[A-Za-z0-9._@\-]{1,64}`;

const blankTenant = { tenantId: '', name: '', adminUserId: 'admin' };

function NewTenant({ open, onClose, onCreated }) {
  const [form, setForm] = useState(blankTenant);
  const action = useAction();
  const change = useChange();
  useResetOnOpen(open, () => { setForm(blankTenant); action.clear(); });
  const set = k => e => setForm(f => ({ ...f, [k]: e.currentTarget.value }));
  async function submit(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const c = await action.run(() => api.post('/v1/tenants', form));
    if (c) onCreated(c);
  }
  return (
    <Dialog title={t('New tenant')} open={open} onClose={() => { action.clear(); onClose(); }}>
      <form class="form" onSubmit={submit} {...action.formProps}>
        <Field label={t('Tenant id')} hint={t('2–63 lower-case letters, digits and -')}><input class="input" required pattern={tenantIdPattern} maxLength={63} title={t('2–63 lower-case letters, digits and -, starting with a letter or digit')} value={form.tenantId} onInput={set('tenantId')} /></Field>
        <Field label={t('Name')}><input class="input" value={form.name} onInput={set('name')} /></Field>
        <Field label={t('First admin user id')}><input class="input" pattern={userIdPattern} maxLength={64} title={t('1–64 letters, digits, . _ - @ (no spaces)')} value={form.adminUserId} onInput={set('adminUserId')} /></Field>
        <ErrorNote error={action.error} />
        <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('create')}</button></div>
      </form>
    </Dialog>
  );
}
