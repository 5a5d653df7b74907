// The tenant's settings: its name, the assistant's instructions and the prompt budgets.
import { useState } from 'preact/hooks';
import { api, request } from '../../shared/api.js';
import { session } from '../../shared/session.js';
import { JobProgress, useRefreshWhile } from '../jobs.jsx';
import { t } from '../strings.js';
import { Badge, Card, DataTable, ErrorNote, Field, Page, SaveActions, fmt, lines, useAction, useLoad, when } from '../ui.jsx';

export function Settings() {
  const settings = useLoad(() => api.get('/v1/tenant/settings'));
  const [draft, setDraft] = useState(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const s = draft ?? settings.data;
  const set = (k, conv = v => v) => e => { setSaved(false); setDraft({ ...s, [k]: conv(e.currentTarget.value) }); };
  async function save(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const { name, instructions, contextBudgetTokens, summaryThresholdTokens, maxOutputTokens, conciseInstruction } = s;
    // One question a line; empty lines are only spacing. The platform checks the count and lengths (400 otherwise).
    const starterQuestions = lines(starterLines(s));
    const r = await action.run(() => api.patch('/v1/tenant/settings', { name, instructions, contextBudgetTokens, summaryThresholdTokens, maxOutputTokens, conciseInstruction, starterQuestions }));
    if (!r) return;
    setDraft(null); setSaved(true); settings.reload();
    // The sidebar and breadcrumb show the tenant's name from /v1/me: ask again so a rename shows without a reload.
    if (name !== settings.data.name) api.get('/v1/me').then(me => session.key && session.signIn(session.key, me), () => {});
  }
  return (
    <Page busy={settings.loading} title={t('nav.settings')} description={t("The assistant's voice for this tenant, and how much of the conversation each prompt carries.")}
      actions={settings.data && <Badge>{t('version {v}', { v: settings.data.version })}</Badge>}>
      <ErrorNote error={settings.error} onRetry={settings.error ? settings.reload : undefined} />
      {s && (
        <Card>
          <form class="form" onSubmit={save} {...action.formProps}>
            <Field label={t('Tenant name')}><input class="input" value={s.name} onInput={set('name')} /></Field>
            <Field label={t('Instructions to the assistant')} hint={t("Placed after the platform's system prompt in every conversation.")}>
              <textarea class="input" rows="5" maxLength={20000} value={s.instructions} onInput={set('instructions')} />
            </Field>
            <Field label={t('Concise-answer instruction (empty turns it off)')}><textarea class="input" rows="2" value={s.conciseInstruction} onInput={set('conciseInstruction')} /></Field>
            <Field label={t('Starter questions in the chat (one a line, up to 6)')} hint={t('Offered to a user before the first question. None are shown when this is empty.')}>
              <textarea class="input" rows="4" name="starterQuestions" value={starterLines(s)} onInput={e => { setSaved(false); setDraft({ ...s, starterText: e.currentTarget.value }); }} />
            </Field>
            <div class="grid-3">
              <Field label={t('Context budget (tokens)')}><input class="input" type="number" min="1000" max="1000000" required value={s.contextBudgetTokens} onInput={set('contextBudgetTokens', Number)} /></Field>
              <Field label={t('Summarize past (tokens)')}><input class="input" type="number" min="200" max="1000000" required value={s.summaryThresholdTokens} onInput={set('summaryThresholdTokens', Number)} /></Field>
              <Field label={t('Longest answer (tokens)')}><input class="input" type="number" min="16" max="500000" required value={s.maxOutputTokens} onInput={set('maxOutputTokens', Number)} /></Field>
            </div>
            <SaveActions saved={saved} disabled={action.busy || !draft} error={action.error} />
          </form>
        </Card>
      )}
      <Exports />
    </Page>
  );
}

const exportTone = s => s === 'succeeded' ? 'ok' : s === 'running' ? 'accent' : 'danger';

// Exports of the tenant's data, or of one user's (a person asking for what is kept about them): started, followed,
// restarted when their host stopped, and downloaded, for the seven days they are kept.
function Exports() {
  const list = useLoad(() => api.get('/v1/exports?limit=20'));
  const [userId, setUserId] = useState('');
  const action = useAction();
  useRefreshWhile(list.data?.exports.some(x => x.status === 'running'), list.reload, [list.data, list.error]);
  async function start(e) {
    e.preventDefault();
    const user = userId.trim();
    if (await action.run(() => api.post('/v1/exports', user ? { userId: user } : {}))) { setUserId(''); list.reload(); }
  }
  async function restart(x) {
    if (await action.run(() => api.post(`/v1/exports/${encodeURIComponent(x.exportId)}/restart`))) list.reload();
  }
  // Fetched with the console's key (a plain link would carry none), then saved by the browser.
  async function download(x) {
    await action.run(async () => {
      const blob = await (await request(x.archiveUrl)).blob();
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `${x.exportId}.zip`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      return true;
    });
  }
  return (
    <Card title={t('Data exports')}>
      <p class="muted small">{t("A zip of the tenant's data (conversations, documents, settings, usage, audit), or of one user's. Kept for seven days.")}</p>
      <form class="form" onSubmit={start} {...action.formProps}>
        <Field label={t('User id (empty: the whole tenant)')}><input class="input" name="userId" value={userId} onInput={e => setUserId(e.currentTarget.value)} /></Field>
        <div><button class="button primary" type="submit" disabled={action.busy}>{t('Start export')}</button></div>
      </form>
      <ErrorNote error={list.error || action.error} onRetry={list.error ? list.reload : undefined} />
      <DataTable label={t('Data exports')} rows={list.data?.exports} loading={list.loading} rowKey={x => x.exportId} empty={t('No exports in the last seven days.')} columns={[
        { key: 'createdAt', label: t('Started'), render: x => when(x.createdAt) },
        { key: 'scope', label: t('Of'), render: x => x.userId ?? t('the whole tenant') },
        { key: 'status', label: t('Status'), render: x => <>
          <Badge tone={exportTone(x.status)}>{t(`export.${x.status}`)}</Badge>
          {x.status === 'running' && <JobProgress done={x.stepsDone} total={x.stepsTotal} bar label={t('Export progress')} />}
          {x.error && <small class="muted"> {x.error}</small>}
        </> },
        { key: 'size', label: t('Size'), render: x => (x.archiveBytes != null ? t('{n} KB', { n: fmt(Math.ceil(x.archiveBytes / 1024)) }) : '') },
        { key: 'actions', label: '', render: x => (x.status === 'succeeded'
          ? <button class="button small" type="button" disabled={action.busy} onClick={() => download(x)}>{t('Download')}</button>
          : x.status === 'failed' || x.status === 'interrupted'
            ? <button class="button small" type="button" disabled={action.busy} onClick={() => restart(x)}>{t('Restart')}</button>
            : null) },
      ]} />
    </Card>
  );
}

// The starter questions as the admin edits them: the text typed so far, else the stored list, one a line.
const starterLines = s => s.starterText ?? (s.starterQuestions ?? []).join('\n');
