// Moderation settings: request and token limits per user and per tenant, the Green outage mode, and custom lexicons;
// and what the platform cannot check (images, when Green cannot reach them), with the reason.
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { codeText, t } from '../strings.js';
import { Badge, Card, DataTable, Dialog, ErrorNote, Field, Page, SaveActions, useAction, useLoad, useRequiredText, when, useChange } from '../ui.jsx';
import { confirmAction } from '../../shared/confirm.jsx';

const limitFields = [
  ['userRequestsPerMinute', 'Requests a minute per user'],
  ['userTokensPerMinute', 'Tokens a minute per user'],
  ['tenantRequestsPerMinute', 'Requests a minute for the tenant'],
  ['tenantTokensPerMinute', 'Tokens a minute for the tenant'],
];

export function Moderation() {
  return (
    <Page title={t('nav.moderation')} description={t('What is refused or masked, and how much each user and the tenant may ask.')}>
      <div class="grid-2 wide-last">
        <Limits />
        <Lexicons />
      </div>
    </Page>
  );
}

function Limits() {
  const settings = useLoad(() => api.get('/v1/moderation/settings'));
  const status = useLoad(() => api.get('/v1/moderation/status'));
  const images = status.data?.imageModeration;
  const [draft, setDraft] = useState(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const value = draft ?? settings.data;
  async function save(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const patch = Object.fromEntries(limitFields.map(([k]) => [k, Number(value[k])]));
    patch.greenFailureMode = value.greenFailureMode;
    patch.greenOutputFailureMode = value.greenOutputFailureMode ?? 'open';
    patch.personalDataToModels = value.personalDataToModels ?? 'default';
    patch.publicContacts = contactsText(value).split(/[\n,;]/).map(c => c.trim()).filter(Boolean);
    const r = await action.run(() => api.patch('/v1/moderation/settings', patch));
    if (r) { setDraft(null); setSaved(true); settings.reload(); }
  }
  const set = k => e => { setSaved(false); setDraft({ ...value, [k]: e.currentTarget.value }); };
  return (
    <Card title={t('Limits and personal data')} aria-busy={settings.loading ? 'true' : 'false'}>
      <ErrorNote error={settings.error} />
      {value && (
        <form class="form" onSubmit={save} {...action.formProps}>
          {/* Without Green at all (a deliberate choice on many platforms) there is nothing to fix: one quiet line.
              Green configured yet unable to check images (no public image address) is a fault: a warning with why. */}
          {images && !images.available && !status.data.greenConfigured && (
            <p class="muted small" role="note" data-testid="image-moderation-off" title={images.reason}>{t('Image moderation: off — Alibaba Green is not configured')}</p>
          )}
          {images && !images.available && status.data.greenConfigured && (
            <div class="note warn" role="status" data-testid="image-moderation-unavailable">
              <span><strong>{t('Image moderation is unavailable.')}</strong> {images.reason}</span>
            </div>
          )}
          {limitFields.map(([k, label]) => (
            <Field key={k} label={t(label)}><input class="input" type="number" min="1" max="1000000000" required value={value[k]} onInput={set(k)} /></Field>
          ))}
          <Field label={t('While Alibaba Green is unreachable')}>
            <select class="input" value={value.greenFailureMode} onChange={set('greenFailureMode')}>
              <option value="open">{t('open: the built-in checks decide alone')}</option>
              <option value="closed">{t('closed: refuse turns')}</option>
            </select>
          </Field>
          <Field label={t('While Green cannot check answers')}>
            <select class="input" value={value.greenOutputFailureMode ?? 'open'} onChange={set('greenOutputFailureMode')}>
              <option value="open">{t('open: only the built-in output guard')}</option>
              <option value="closed">{t('closed: withhold the rest of the answer')}</option>
            </select>
          </Field>
          <Field label={t('Personal data sent to models')} hint={t('Phone numbers, card numbers, ID numbers and e-mail addresses in questions and documents.')}>
            <select class="input" value={value.personalDataToModels ?? 'default'} onChange={set('personalDataToModels')} data-testid="personal-data-to-models">
              <option value="default">{t('default: masked, except to endpoints the operator allows')}</option>
              <option value="mask">{t('mask: always masked')}</option>
              <option value="send">{t('send: sent as written to every model')}</option>
            </select>
          </Field>
          {value.personalDataToModels === 'send' && (
            <div class="note warn" role="status"><span>{t('Models, and their providers, will see personal data as users wrote it.')}</span></div>
          )}
          <p class="muted small">{t('Each limit holds over any {s}-second window; there is no burst on top.', { s: value.windowSeconds ?? 60 })}</p>
          <Field label={t('Published contacts')} hint={t('One a line: an address (hr@example.com), a whole mail domain (@example.com) or a phone number. Answers show them as written; other personal data is still masked.')}>
            <textarea class="input" rows="3" value={contactsText(value)} onInput={set('publicContactsText')} />
          </Field>
          <SaveActions saved={saved} disabled={action.busy || !draft} error={action.error} />
        </form>
      )}
    </Card>
  );
}

// The draft's text of the published contacts, else the saved list one a line.
const contactsText = v => v.publicContactsText ?? (v.publicContacts ?? []).join('\n');

function Lexicons() {
  const list = useLoad(() => api.get('/v1/moderation/lexicons'));
  const [editing, setEditing] = useState(null);
  const action = useAction();
  const change = useChange();
  async function remove(l) {
    if (!(await confirmAction(t('Delete lexicon {n}?', { n: l.name }), { action: t('delete'), cancel: t('cancel') }))) return;
    if (await action.run(() => api.delete(`/v1/moderation/lexicons/${encodeURIComponent(l.name)}`)) !== undefined) list.reload();
  }
  return (
    <Card title={t('Custom lexicons')} actions={<>
      {list.data && <Badge>{t('version {v}', { v: list.data.version })}</Badge>}
      <button class="button small primary" type="button" onClick={() => setEditing({ name: '', words: [], substringWords: [], riskLevel: 'high', action: 'block', label: '', scope: 'both' })} {...change()}>{t('New lexicon')}</button>
    </>}>
      <ErrorNote error={list.error || action.error} />
      <DataTable label={t('Custom lexicons')} rows={list.data?.lexicons} loading={list.loading} rowKey={l => l.name} columns={[
        { key: 'name', label: t('Name'), render: l => <strong>{l.name}</strong> },
        { key: 'words', label: t('Words'), render: l => <span class="clip">{[...l.words, ...l.substringWords.map(w => `*${w}*`)].join(', ')}</span> },
        { key: 'riskLevel', label: t('Risk'), render: l => <Badge tone={l.riskLevel === 'high' ? 'danger' : l.riskLevel === 'medium' ? 'warn' : 'neutral'}>{codeText(l.riskLevel)}</Badge> },
        { key: 'action', label: t('Action'), render: l => <Badge tone={l.action === 'block' ? 'danger' : 'warn'}>{codeText(l.action)}</Badge> },
        { key: 'updatedAt', label: t('Updated'), render: l => when(l.updatedAt) },
        { key: 'ops', label: '', align: 'right', actions: true, render: l => <span class="row-actions">
          <button class="button small" type="button" onClick={() => setEditing(l)} {...change()}>{t('edit')}</button>
          <button class="button small danger" type="button" onClick={() => remove(l)} {...change()}>{t('delete')}</button>
        </span> },
      ]} />
      <LexiconDialog lexicon={editing} existing={(list.data?.lexicons ?? []).map(l => l.name)} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); list.reload(); }} />
    </Card>
  );
}

function LexiconDialog({ lexicon, existing, onClose, onSaved }) {
  const [form, setForm] = useState(null);
  const [last, setLast] = useState(null);
  const action = useAction();
  const change = useChange();
  const name = useRequiredText(t('Name'));
  const [taken, setTaken] = useState(null);
  const creating = !lexicon?.name;
  if (lexicon !== last) {
    setLast(lexicon);
    name.clear();
    action.clear();
    setTaken(null);
    setForm(lexicon && { ...lexicon, words: lexicon.words.join('\n'), substringWords: lexicon.substringWords.join('\n') });
  }
  const set = k => e => setForm(f => ({ ...f, [k]: e.currentTarget.value }));
  const lines = s => s.split(/[\n,]/).map(w => w.trim()).filter(Boolean);
  async function submit(e) {
    e.preventDefault();
    const lexiconName = name.take(form.name);
    // Saving replaces a lexicon whole, so a new one may not reuse a name: the existing one is changed through its Edit.
    const clash = creating && !!lexiconName && existing.includes(lexiconName);
    setTaken(clash ? t('A lexicon named {n} already exists: change it with its Edit button.', { n: lexiconName }) : null);
    if (!lexiconName || clash) return;
    const body = { words: lines(form.words), substringWords: lines(form.substringWords), riskLevel: form.riskLevel, action: form.action, label: form.label, scope: form.scope };
    if (await action.run(() => api.put(`/v1/moderation/lexicons/${encodeURIComponent(lexiconName)}`, body))) onSaved();
  }
  return (
    <Dialog title={lexicon?.name ? t('Lexicon {n}', { n: lexicon.name }) : t('New lexicon')} open={!!lexicon} onClose={onClose}>
      {form && (
        <form class="form" onSubmit={submit}>
          <Field label={t('Name')} error={name.error || taken}>
            <input class="input" required readOnly={!creating} value={form.name} onInput={e => { setTaken(null); set('name')(e); }} aria-invalid={name.invalid || (taken ? 'true' : undefined)} />
          </Field>
          <Field label={t('Words (one a line; whole words, anywhere in CJK)')}><textarea class="input" rows="4" value={form.words} onInput={set('words')} /></Field>
          <Field label={t('Substring words (also inside longer words)')}><textarea class="input" rows="2" value={form.substringWords} onInput={set('substringWords')} /></Field>
          <div class="grid-3">
            <Field label={t('Risk')}><select class="input" value={form.riskLevel} onChange={set('riskLevel')}>{['low', 'medium', 'high'].map(v => <option key={v} value={v}>{codeText(v)}</option>)}</select></Field>
            <Field label={t('Action')}><select class="input" value={form.action} onChange={set('action')}>{['block', 'mask'].map(v => <option key={v} value={v}>{codeText(v)}</option>)}</select></Field>
            <Field label={t('Label')}><input class="input" value={form.label} onInput={set('label')} /></Field>
          </div>
          <Field label={t('Checks')}>
            <select class="input" value={form.scope} onChange={set('scope')}>
              {[['both', t('Questions and answers')], ['input', t('Questions only')], ['output', t('Answers only')]].map(([v, text]) => <option key={v} value={v}>{text}</option>)}
            </select>
          </Field>
          <ErrorNote error={action.error} />
          <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('save')}</button></div>
        </form>
      )}
    </Dialog>
  );
}
