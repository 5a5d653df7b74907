// Evaluations: question sets with the facts and sources a good answer has, and runs of a set against one model. A run
// asks every case as a chat turn of its user in the background; the page follows its progress and, once it has
// completed, shows each answer with what it missed. The canary's promotion gate runs its set the same way.
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { confirmAction } from '../../shared/confirm.jsx';
import { JobProgress, ModelSelect, NoCatalogModel, catalogReady, jobTone, useModelChoice, useRefreshWhile } from '../jobs.jsx';
import { t } from '../strings.js';
import { Badge, Card, DataTable, Dialog, ErrorNote, Field, Page, Stat, fmt, lines, query, usd, useAction, useChange, useLoad, useResetOnOpen, when } from '../ui.jsx';

const pct = v => v === null || v === undefined ? '—' : `${(Number(v) * 100).toFixed(1)}%`;
const statusText = s => { const key = `evaluation.${s}`; const text = t(key); return text === key ? s : text; };

export function Evaluations() {
  const sets = useLoad(() => api.get('/v1/evaluations/sets'));
  const runs = useLoad(() => api.get(`/v1/evaluations/runs${query({ limit: 50 })}`));
  const routing = useLoad(() => api.get('/v1/routing'));
  const users = useLoad(() => api.get('/v1/users?limit=200').then(r => r.users)); // the API's largest page
  const [creating, setCreating] = useState(false);
  const [running, setRunning] = useState(null);
  const [shown, setShown] = useState(null);
  const action = useAction();
  const change = useChange();
  const inProgress = runs.data?.some(r => r.status === 'running');
  const reload = () => { sets.reload(); runs.reload(); };

  // Runs in progress move on their own: ask again until none is running.
  useRefreshWhile(inProgress, runs.reload, [runs.data]);

  const setName = id => sets.data?.find(s => s.setId === id)?.name ?? id;
  async function remove(set) {
    if (!(await confirmAction(t('Delete the set {n} and its runs?', { n: set.name }), { action: t('delete'), cancel: t('cancel') }))) return;
    if (await action.run(() => api.delete(`/v1/evaluations/sets/${encodeURIComponent(set.setId)}`)) !== undefined) reload();
  }
  async function cancel(run) {
    // A stopped run cannot go on: what it asked stays billed, and a new run asks every case again.
    if (!(await confirmAction(t('Stop this run? It cannot be resumed: its answered cases stay billed, and a new run asks every case again.'),
      { action: t('Stop'), cancel: t('cancel') }))) return;
    if (await action.run(() => api.post(`/v1/evaluations/runs/${encodeURIComponent(run.runId)}/cancel`))) runs.reload();
  }

  return (
    <Page busy={sets.loading || runs.loading} title={t('nav.evaluations')}
      description={t('Questions with the facts and sources a good answer has. Run a set against a model before you switch to it; the canary runs its set before promotion.')}
      actions={<button class="button primary" type="button" onClick={() => setCreating(true)} {...change()}>{t('New set')}</button>}>
      {/* The catalog and the users feed the Run dialog: a failed load is said, not shown as "no model" or no user. */}
      <ErrorNote error={sets.error || runs.error || routing.error || users.error || action.error}
        onRetry={sets.error || runs.error || routing.error || users.error ? () => { reload(); routing.reload(); users.reload(); } : undefined} />
      <Card title={t('Sets')}>
        <DataTable label={t('Sets')} rows={sets.data} loading={sets.loading} rowKey={s => s.setId}
          empty={t('No sets yet. A set holds up to 50 questions, each asked as one of your users.')} columns={[
            { key: 'name', label: t('Name'), render: s => <><strong>{s.name}</strong><br /><small class="muted"><code>{s.setId}</code></small></> },
            { key: 'cases', label: t('Cases'), align: 'right', render: s => fmt(s.cases.length) },
            { key: 'createdAt', label: t('Created'), render: s => `${when(s.createdAt)} · ${s.createdBy}` },
            { key: 'actions', label: '', actions: true, render: s => <>
              <button class="button small primary" type="button" onClick={() => setRunning(s)} {...change()}>{t('Run')}</button>{' '}
              <button class="button small" type="button" onClick={() => remove(s)} {...change(action.busy)}>{t('delete')}</button>
            </> },
          ]} />
      </Card>
      <Card title={t('Runs')} actions={<button class="button small" type="button" onClick={runs.reload}>{t('refresh')}</button>}>
        <DataTable label={t('Runs')} rows={runs.data} loading={runs.loading && !runs.data} rowKey={r => r.runId} empty={t('No runs yet.')} columns={[
          { key: 'createdAt', label: t('When'), render: r => when(r.createdAt) },
          { key: 'set', label: t('Set'), render: r => setName(r.setId) },
          { key: 'model', label: t('model'), render: r => <code>{r.modelId}</code> },
          { key: 'status', label: t('Status'), render: r => <RunStatus run={r} /> },
          { key: 'facts', label: t('Facts found'), align: 'right', render: r => pct(r.summary?.factRecall) },
          { key: 'citations', label: t('Citations expected'), align: 'right', render: r => pct(r.summary?.citationPrecision) },
          { key: 'refusals', label: t('Refused'), align: 'right', render: r => pct(r.summary?.refusalRate) },
          { key: 'cost', label: t('Cost'), align: 'right', render: r => r.summary ? usd(r.summary.totalCostUsd) : '—' },
          { key: 'actions', label: '', actions: true, render: r => <>
            {r.status === 'completed' && <button class="button small" type="button" onClick={() => setShown(r.runId)}>{t('Answers')}</button>}
            {r.status === 'running' && <button class="button small" type="button" onClick={() => cancel(r)} {...change(action.busy)}>{t('Stop')}</button>}
          </> },
        ]} />
      </Card>
      <NewSet open={creating} users={users.data ?? []} onClose={() => setCreating(false)} onCreated={() => { setCreating(false); sets.reload(); }} />
      <StartRun set={running} loaded={!!routing.data || !routing.loading} models={routing.data?.models ?? []} policy={routing.data?.policy} onClose={() => setRunning(null)} onStarted={() => { setRunning(null); runs.reload(); }} />
      <RunAnswers runId={shown} title={shown && runs.data ? `${setName(runs.data.find(r => r.runId === shown)?.setId)}` : ''} onClose={() => setShown(null)} />
    </Page>
  );
}

function RunStatus({ run }) {
  const { done, total } = run.progress;
  return (
    <span title={run.error ?? undefined}>
      <Badge tone={jobTone(run.status)}>{statusText(run.status)}</Badge>{' '}
      <JobProgress done={done} total={total} bar={run.status === 'running'} label={t('{d} of {n} cases asked', { d: done, n: total })} />
      {run.error && <><br /><small class="muted">{run.error}</small></>}
    </span>
  );
}

const emptyCase = userId => ({ question: '', facts: '', sources: '', userId });

function NewSet({ open, users, onClose, onCreated }) {
  const firstUser = users.find(u => u.role === 'user')?.userId ?? users[0]?.userId ?? '';
  const [name, setName] = useState('');
  const [cases, setCases] = useState([emptyCase(firstUser)]);
  const action = useAction();
  const change = useChange();
  useResetOnOpen(open, () => { setName(''); setCases([emptyCase(firstUser)]); action.clear(); });
  const edit = (i, k) => e => { const v = e.currentTarget.value; setCases(cs => cs.map((c, j) => j === i ? { ...c, [k]: v } : c)); };

  async function create(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const body = {
      name: name.trim(),
      cases: cases.map(c => ({
        question: c.question.trim(), facts: lines(c.facts), userId: c.userId,
        sources: c.sources.split(/[\s,]+/).map(s => s.trim()).filter(Boolean),
      })),
    };
    if (await action.run(() => api.post('/v1/evaluations/sets', body))) onCreated();
  }

  return (
    <Dialog title={t('New set')} open={open} onClose={onClose}>
      <form class="form" onSubmit={create} {...action.formProps}>
        <Field label={t('Name')}><input class="input" required maxLength={200} value={name} onInput={e => setName(e.currentTarget.value)} /></Field>
        {cases.map((c, i) => (
          <fieldset class="case" key={i}>
            <legend>{t('Case {n}', { n: i + 1 })}</legend>
            <Field label={t('Question')}><textarea class="input" rows="2" required maxLength={4000} value={c.question} onInput={edit(i, 'question')} /></Field>
            <Field label={t('Facts the answer must contain (one a line)')}><textarea class="input" rows="2" value={c.facts} onInput={edit(i, 'facts')} /></Field>
            <div class="grid-2">
              <Field label={t('Documents it must cite (ids)')}><input class="input" value={c.sources} onInput={edit(i, 'sources')} /></Field>
              <Field label={t('Asked as')} hint={t('The answer uses what this user may read.')}>
                <select class="input" required value={c.userId} onChange={edit(i, 'userId')}>
                  {users.map(u => <option key={u.userId} value={u.userId}>{u.displayName ? `${u.displayName} (${u.userId})` : u.userId}</option>)}
                </select>
              </Field>
            </div>
            {cases.length > 1 && <button class="button small" type="button" onClick={() => setCases(cs => cs.filter((_, j) => j !== i))}>{t('Remove case {n}', { n: i + 1 })}</button>}
          </fieldset>
        ))}
        {cases.length < 50 && <button class="button small" type="button" onClick={() => setCases(cs => [...cs, emptyCase(cs[cs.length - 1]?.userId ?? firstUser)])}>{t('Add a case')}</button>}
        <ErrorNote error={action.error} />
        <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('create')}</button></div>
      </form>
    </Dialog>
  );
}

function StartRun({ set, loaded, models, policy, onClose, onStarted }) {
  const [modelId, setModelId] = useModelChoice(models);
  const action = useAction();
  const change = useChange();
  useResetOnOpen(!!set, () => { setModelId(''); action.clear(); });
  async function start(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    if (await action.run(() => api.post(`/v1/evaluations/sets/${encodeURIComponent(set.setId)}/runs`, { modelId }))) onStarted();
  }
  return (
    <Dialog title={set ? t('Run {n}', { n: set.name }) : ''} open={!!set} onClose={onClose}>
      {set && !loaded && <p class="muted" role="status">{t('loading')}</p>}
      {set && loaded && !catalogReady(models, policy) && <NoCatalogModel models={models} policy={policy} why={t('The tenant has no model to run the set against yet.')} />}
      {set && loaded && catalogReady(models, policy) && <form class="form" onSubmit={start} {...action.formProps}>
        <p class="muted">{t('Every case is asked as a chat turn of its user, pinned to this model: limits, moderation, access and the budget apply, and the turns are billed.')}</p>
        <ModelSelect models={models} value={modelId} onChange={setModelId} />
        <ErrorNote error={action.error} />
        <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('Start the run')}</button></div>
      </form>}
    </Dialog>
  );
}

function RunAnswers({ runId, title, onClose }) {
  const run = useLoad(() => runId ? api.get(`/v1/evaluations/runs/${encodeURIComponent(runId)}`) : Promise.resolve(null), [runId]);
  const r = run.data;
  return (
    <Dialog title={t('Answers of {n}', { n: title })} open={!!runId} onClose={onClose}>
      <ErrorNote error={run.error} onRetry={run.reload} />
      {r?.summary && <div class="stats">
        <Stat label={t('Facts found')} value={pct(r.summary.factRecall)} />
        <Stat label={t('Citations expected')} value={pct(r.summary.citationPrecision)} />
        <Stat label={t('Refused')} value={pct(r.summary.refusalRate)} hint={r.summary.notAsked ? t('{n} not asked', { n: r.summary.notAsked }) : undefined} />
        <Stat label={t('Cost')} value={usd(r.summary.totalCostUsd)} hint={t('{ms} ms a case', { ms: Math.round(r.summary.meanLatencyMs) })} />
      </div>}
      {r && <DataTable label={t('Answers')} rows={r.results} rowKey={x => x.index} columns={[
        { key: 'question', label: t('Question'), render: x => x.question },
        { key: 'answer', label: t('Answer'), render: x => <div class="answer-cell">{x.answer || <span class="muted">{x.errorCode ?? '—'}</span>}</div> },
        { key: 'missing', label: t('Missing facts'), render: x => x.notAsked ? <Badge>{t('not asked')}</Badge>
          : x.missingFacts.length ? x.missingFacts.map(f => <Badge key={f} tone="danger">{f}</Badge>) : <Badge tone="ok">{t('none')}</Badge> },
        { key: 'facts', label: t('Facts found'), align: 'right', render: x => pct(x.score.factRecall) },
        { key: 'cited', label: t('Cited'), render: x => x.cited.map(c => <code key={c}>{c} </code>) },
      ]} />}
    </Dialog>
  );
}

/**
 * Turns a thumbs-down vote into a case of a set: the voted answer's question (as stored), asked as the voter, with the
 * facts and documents the answer should have had. Used from the feedback log.
 */
export function CaseFromVote({ vote, onClose }) {
  const sets = useLoad(() => vote ? api.get('/v1/evaluations/sets') : Promise.resolve(null), [vote]);
  const [form, setForm] = useState({ setId: '', facts: '', sources: '' });
  const [added, setAdded] = useState(null);
  const action = useAction();
  const change = useChange();
  useResetOnOpen(!!vote, () => { setForm({ setId: '', facts: '', sources: '' }); setAdded(null); action.clear(); });
  const set = k => e => { const v = e.currentTarget.value; setForm(f => ({ ...f, [k]: v })); };
  const setId = form.setId || sets.data?.[0]?.setId || '';

  async function add(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const body = { conversationId: vote.conversationId, seq: vote.seq, facts: lines(form.facts), sources: form.sources.split(/[\s,]+/).filter(Boolean) };
    const made = await action.run(() => api.post(`/v1/evaluations/sets/${encodeURIComponent(setId)}/cases/from-feedback`, body));
    if (made) setAdded({ set: sets.data.find(s => s.setId === setId)?.name ?? setId, question: made.question });
  }

  return (
    <Dialog title={t('Make an evaluation case')} open={!!vote} onClose={onClose}>
      <ErrorNote error={sets.error} onRetry={sets.reload} />
      {added && <div class="note ok" role="status">{t('Added to {s}: "{q}"', { s: added.set, q: added.question })}</div>}
      {sets.data && !sets.data.length && <p class="muted">{t('There is no evaluation set yet.')} <a href="#/evaluations">{t('Create one on the Evaluations page.')}</a></p>}
      {sets.data?.length > 0 && !added && <form class="form" onSubmit={add} {...action.formProps}>
        <p class="muted">{t('The question of this answer, as stored, becomes a case asked as the voter. Say what a good answer has.')}</p>
        <Field label={t('Set')}>
          <select class="input" required value={setId} onChange={set('setId')}>
            {sets.data.map(s => <option key={s.setId} value={s.setId}>{s.name}</option>)}
          </select>
        </Field>
        <Field label={t('Facts the answer must contain (one a line)')}><textarea class="input" rows="3" value={form.facts} onInput={set('facts')} /></Field>
        <Field label={t('Documents it must cite (ids)')}><input class="input" value={form.sources} onInput={set('sources')} /></Field>
        <ErrorNote error={action.error} />
        <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('Add the case')}</button></div>
      </form>}
    </Dialog>
  );
}
