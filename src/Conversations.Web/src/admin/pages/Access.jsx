// The ACL editor: roles with the roles they include (a manager includes staff), the document labels granted to each,
// the roles of each user, and what a user may read as a result. Every change applies to the next retrieval.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { Icon } from '../../shared/icons.jsx';
import { NavIcon } from '../icons.jsx';
import { t } from '../strings.js';
import { Badge, Card, DataTable, Dialog, ErrorNote, Field, Page, useAction, useLoad, useRequiredText, useChange, useResetOnOpen } from '../ui.jsx';
import { confirmAction } from '../../shared/confirm.jsx';

const enc = encodeURIComponent;

export function Access() {
  const acl = useLoad(() => api.get('/v1/acl'));
  const docs = useLoad(() => api.get('/v1/knowledge/documents?limit=500'));
  const action = useAction();
  const change = useChange();
  const [creating, setCreating] = useState(false);
  const [editingUser, setEditingUser] = useState(null);
  const [checkUser, setCheckUser] = useState('');
  const [labelsOf, setLabelsOf] = useState(null);

  // Opened as #/access?assign=USER (after a user is created): that user's roles, ready to choose.
  useEffect(() => {
    const assign = new URLSearchParams(location.hash.split('?')[1] ?? '').get('assign');
    if (!assign || !acl.data) return;
    history.replaceState(null, '', '#/access');
    setEditingUser(acl.data.users.find(u => u.userId === assign) ?? { userId: assign, roles: [] });
  }, [acl.data]);

  const roles = acl.data?.roles ?? [];
  const knownLabels = [...new Set([...(docs.data?.documents ?? []).map(d => d.label), ...roles.flatMap(r => r.labels)])].sort();
  const apply = async fn => { if (await action.run(fn) !== undefined) { acl.reload(); return true; } return false; };

  async function grant(role, e) {
    e.preventDefault();
    const input = e.currentTarget.elements.label;
    const label = input.value.trim();
    if (!label) { action.fail(t('form.blank', { f: t('Label') })); input.focus(); return; }
    // A refused grant keeps what was typed, to be corrected rather than typed again.
    if (await apply(() => api.post(`/v1/acl/roles/${enc(role.name)}/grants`, { label }))) input.value = '';
  }
  // Asked first, as every removal is: the role's readers lose the label's documents at their next question.
  const revoke = async (role, label) => (await confirmAction(t('Revoke {l} from {r}? Its readers lose those documents at once.', { l: label, r: role.name }), { action: t('Revoke'), cancel: t('cancel') }))
    && apply(() => api.delete(`/v1/acl/roles/${enc(role.name)}/grants/${label.split('/').map(enc).join('/')}`));
  const removeRole = async role => (await confirmAction(t('Delete role {r}?', { r: role.name }), { action: t('delete'), cancel: t('cancel') }))
    && apply(() => api.delete(`/v1/acl/roles/${enc(role.name)}`));
  async function check(e) {
    e.preventDefault();
    setLabelsOf(null);
    const id = checkUser.trim();
    if (!id) { action.fail(t('form.blank', { f: t('User id') })); return; }
    // The labels route answers for any id; the user's keys say whether the user exists at all.
    const r = await action.run(async () => {
      const [labels, exists] = await Promise.all([
        api.get(`/v1/acl/users/${enc(id)}/labels`),
        api.get(`/v1/users/${enc(id)}/keys`).then(() => true, e => (e.status === 404 ? false : true)),
      ]);
      return { ...labels, exists };
    });
    if (r) setLabelsOf(r);
  }

  return (
    <Page busy={acl.loading || docs.loading} title={t('nav.access')} description={t('Who may read which documents: roles, the roles they include, and the labels granted to them.')}
      actions={<>
        {acl.data && <Badge>{t('ACL version {v}', { v: acl.data.version })}</Badge>}
        <button class="button primary" type="button" onClick={() => setCreating(true)} {...change()}>{t('New role')}</button>
      </>}>
      <ErrorNote error={acl.error || action.error} onRetry={acl.error ? acl.reload : undefined} />
      <datalist id="known-labels">{knownLabels.map(l => <option key={l} value={l} />)}</datalist>

      <div class="grid-2 wide-first">
        <Card title={t('Roles and grants')}>
          {!roles.length && <p class="muted">{acl.loading ? t('loading') : t('No roles yet. A role groups the labels its members may read.')}</p>}
          <div class="role-list">
            {roles.map(role => (
              <div class="role" key={role.name} data-role={role.name}>
                <div class="role-head">
                  <strong><NavIcon name="shield" size={16} /> {role.name}</strong>
                  {role.includes.length > 0 && <span class="muted">{t('includes')} {role.includes.map(i => <Badge key={i} tone="accent">{i}</Badge>)}</span>}
                  <button class="icon-button" type="button" aria-label={t('Delete role {r}', { r: role.name })} onClick={() => removeRole(role)} {...change()}><Icon name="trash" size={16} /></button>
                </div>
                <div class="chips">
                  {role.labels.map(label => (
                    <span class="chip" key={label} data-label={label}>
                      {label}
                      <button type="button" aria-label={t('Revoke {l} from {r}', { l: label, r: role.name })} onClick={() => revoke(role, label)} {...change(action.busy)}>
                        <Icon name="close" size={12} />
                      </button>
                    </span>
                  ))}
                  {!role.labels.length && <span class="muted">{t('No labels granted directly.')}</span>}
                </div>
                <form class="inline-form" onSubmit={e => grant(role, e)} onInput={action.clear}>
                  <input class="input compact" name="label" list="known-labels" placeholder={t('label, e.g. compensation/staff')} aria-label={t('Label to grant to {r}', { r: role.name })} />
                  <button class="button small" type="submit" {...change(action.busy)}>{t('Grant')}</button>
                </form>
              </div>
            ))}
          </div>
        </Card>
        <Card title={t('Hierarchy')}>
          <Hierarchy roles={roles} />
          <form class="inline-form check" onSubmit={check} onInput={action.clear}>
            <input class="input compact" value={checkUser} onInput={e => setCheckUser(e.currentTarget.value)} placeholder={t('user id')} aria-label={t('User to check')} />
            <button class="button small" type="submit">{t('What can they read?')}</button>
          </form>
          {labelsOf && (
            <p data-testid="user-labels"><strong>{labelsOf.userId}</strong>: {!labelsOf.exists ? <span class="muted">{t('no such user in this tenant')}</span> : labelsOf.labels.length ? labelsOf.labels.map(l => <Badge key={l} tone="ok">{l}</Badge>) : <span class="muted">{t('no labels')}</span>}</p>
          )}
        </Card>
      </div>

      <Card title={t("Users' roles")}>
        <DataTable label={t("Users' roles")} rows={acl.data?.users} loading={acl.loading} rowKey={u => u.userId} columns={[
          { key: 'userId', label: t('user'), render: u => <code>{u.userId}</code> },
          { key: 'roles', label: t('Roles'), render: u => u.roles.map(r => <Badge key={r} tone="accent">{r}</Badge>) },
          { key: 'edit', label: '', align: 'right', actions: true, render: u => <button class="button small" type="button" onClick={() => setEditingUser(u)} {...change()}>{t('edit')}</button> },
        ]} />
        <button class="button small" type="button" onClick={() => setEditingUser({ userId: '', roles: [] })} {...change()}>{t('Assign roles to a user')}</button>
      </Card>

      <RoleDialog open={creating} roles={roles} onClose={() => setCreating(false)} onSaved={() => { setCreating(false); acl.reload(); }} />
      <UserRolesDialog user={editingUser} roles={roles} onClose={() => setEditingUser(null)} onSaved={() => { setEditingUser(null); acl.reload(); }} />
    </Page>
  );
}

/** Each role with the roles it includes below it, as a tree; a role several others include appears under each. */
function Hierarchy({ roles }) {
  const byName = new Map(roles.map(r => [r.name, r]));
  const included = new Set(roles.flatMap(r => r.includes));
  const roots = roles.filter(r => !included.has(r.name));
  const node = (r, seen) => (
    <li key={r.name}>
      <span class="tree-node">{r.name}</span> {r.labels.map(l => <Badge key={l}>{l}</Badge>)}
      {r.includes.length > 0 && !seen.has(r.name) && <ul>{r.includes.map(i => byName.get(i)).filter(Boolean).map(c => node(c, new Set([...seen, r.name])))}</ul>}
    </li>
  );
  return roles.length ? <ul class="tree" aria-label={t('Role hierarchy')}>{roots.map(r => node(r, new Set()))}</ul> : <p class="muted">—</p>;
}

// The platform's role name rule (a pattern attribute is compiled with the v flag, where '-' in a class must be escaped).
const roleNamePattern = String.raw`[A-Za-z0-9._\-]{1,64}`;

function RoleDialog({ open, roles, onClose, onSaved }) {
  const [name, setName] = useState('');
  const [includes, setIncludes] = useState([]);
  const [labels, setLabels] = useState('');
  const action = useAction();
  const change = useChange();
  const required = useRequiredText(t('Name'));
  const [taken, setTaken] = useState(null);
  useResetOnOpen(open, () => { setName(''); setIncludes([]); setLabels(''); required.clear(); setTaken(null); action.clear(); });
  async function submit(e) {
    e.preventDefault();
    const role = required.take(name);
    // The platform's role name rule is checked here, so a bad name is told as a name, not as a part of a URL.
    if (role && !action.check(e.currentTarget)) return;
    // Saving a role replaces it whole, so a new role may not reuse a name: its grants are changed on its card instead.
    setTaken(role && roles.some(r => r.name === role) ? t('A role named {r} already exists: change its grants on its card.', { r: role }) : null);
    if (!role || roles.some(r => r.name === role)) return;
    const body = { includes, labels: labels.split(',').map(s => s.trim()).filter(Boolean) };
    if (await action.run(() => api.put(`/v1/acl/roles/${enc(role)}`, body))) { setName(''); setIncludes([]); setLabels(''); onSaved(); }
  }
  return (
    <Dialog title={t('New role')} open={open} onClose={() => { required.clear(); setTaken(null); onClose(); }}>
      <form class="form" onSubmit={submit} {...action.formProps}>
        <Field label={t('Name')} error={required.error || taken}>
          <input class="input" required pattern={roleNamePattern} title={t('1–64 letters, digits, . _ - (no spaces)')} value={name} onInput={e => { setName(e.currentTarget.value); setTaken(null); }} aria-invalid={required.invalid || (taken ? 'true' : undefined)} />
        </Field>
        <fieldset class="checks">
          <legend>{t('Includes the roles')}</legend>
          {roles.map(r => (
            <label key={r.name}><input type="checkbox" checked={includes.includes(r.name)}
              onChange={e => setIncludes(i => e.currentTarget.checked ? [...i, r.name] : i.filter(x => x !== r.name))} /> {r.name}</label>
          ))}
          {!roles.length && <span class="muted">—</span>}
        </fieldset>
        <Field label={t('Labels (comma-separated)')}><input class="input" list="known-labels" value={labels} onInput={e => setLabels(e.currentTarget.value)} /></Field>
        <ErrorNote error={action.error} />
        <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('create')}</button></div>
      </form>
    </Dialog>
  );
}

function UserRolesDialog({ user, roles, onClose, onSaved }) {
  const [userId, setUserId] = useState('');
  const [chosen, setChosen] = useState([]);
  const action = useAction();
  const change = useChange();
  const [last, setLast] = useState(null);
  const required = useRequiredText(t('User id'));
  if (user !== last) { setLast(user); setUserId(user?.userId ?? ''); setChosen(user?.roles ?? []); required.clear(); action.clear(); }
  async function submit(e) {
    e.preventDefault();
    const id = required.take(userId);
    if (!id) return;
    if (await action.run(() => api.put(`/v1/acl/users/${enc(id)}/roles`, { roles: chosen }))) onSaved();
  }
  return (
    <Dialog title={t('Roles of a user')} open={!!user} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <Field label={t('User id')} error={required.error}><input class="input" required value={userId} readOnly={!!user?.userId} onInput={e => setUserId(e.currentTarget.value)} aria-invalid={required.invalid} /></Field>
        <fieldset class="checks">
          <legend>{t('Roles')}</legend>
          {roles.map(r => (
            <label key={r.name}><input type="checkbox" checked={chosen.includes(r.name)}
              onChange={e => setChosen(c => e.currentTarget.checked ? [...c, r.name] : c.filter(x => x !== r.name))} /> {r.name}</label>
          ))}
        </fieldset>
        <ErrorNote error={action.error} />
        <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('save')}</button></div>
      </form>
    </Dialog>
  );
}
