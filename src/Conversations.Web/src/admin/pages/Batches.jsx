// Offline batches: prompts answered later, one at a time at low priority, billed at the model's batch rate. The page
// lists the tenant's jobs newest first and follows those still in progress, stops one, shows a job's answers in
// prompt order (and saves them as JSONL), and submits a new job from typed prompts or a file.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { confirmAction } from '../../shared/confirm.jsx';
import { JobProgress, ModelSelect, NoCatalogModel, catalogReady, jobTone, useModelChoice, useRefreshWhile } from '../jobs.jsx';
import { t } from '../strings.js';
import { Badge, Card, DataTable, Dialog, ErrorNote, Field, Page, fmt, lines, query, usd, useAction, useChange, useLoad, useResetOnOpen, when } from '../ui.jsx';

// What POST /v1/batches accepts (BatchJobGrain.StartAsync): prompts a job, characters a prompt, answer tokens a prompt.
const maxPrompts = 1000;
const maxPromptChars = 16000;
const maxOutputTokens = 8192;
const defaultOutputTokens = 512;
// Jobs a page of the list; GET /v1/batches takes at most 100 at once.
const pageSize = 20;
const maxPageSize = 100;
// Answers a page of the answers dialog, and a page fetched for the download (the API's largest).
const answersPage = 100;
const downloadPage = 500;

const finished = job => job.status === 'completed' || job.status === 'cancelled';
const statusText = s => { const key = `batch.${s}`; const text = t(key); return text === key ? s : text; };
const jobPath = jobId => `/v1/batches/${encodeURIComponent(jobId)}`;


// Why a job's next prompt has not started (the status's waitingFor), in the reader's words.
const waitTexts = {
  budget: 'waiting for budget',
  moderation: 'waiting for moderation',
  model: 'waiting for the model',
  rate_limit: 'waiting for the rate limit',
  queue: 'waiting for the tenant\'s other batches',
};
const waitingText = reason => t(waitTexts[reason] ?? 'waiting');

export function Batches() {
  const routing = useLoad(() => api.get('/v1/routing'));
  const list = useBatchList();
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState(null);
  const action = useAction();
  const change = useChange();
  // Jobs in progress move on their own: ask again until none is (and after a failed ask, again).
  useRefreshWhile(list.jobs?.some(j => !finished(j)), list.refresh, [list.jobs, list.error]);

  async function stop(job) {
    const question = t('Stop batch {id}? The prompt being answered ends cancelled, billed for what it used; prompts not yet answered are not run.', { id: job.jobId });
    if (!(await confirmAction(question, { action: t('Stop'), cancel: t('cancel') }))) return;
    const view = await action.run(() => api.post(`${jobPath(job.jobId)}/cancel`));
    if (view) list.replace(view);
  }

  return (
    <Page busy={list.loading} title={t('nav.batches')}
      description={t('Prompts answered later, one at a time at low priority, billed at the model\'s batch rate. Limits, moderation and the budget apply to every prompt.')}
      actions={<button class="button primary" type="button" onClick={() => setCreating(true)} {...change()}>{t('New batch')}</button>}>
      <ErrorNote error={list.error || routing.error || action.error} onRetry={list.error || routing.error ? () => { list.refresh(); routing.reload(); } : undefined} />
      <Card title={t('Jobs')} actions={<button class="button small" type="button" onClick={list.refresh}>{t('refresh')}</button>}>
        <DataTable label={t('Jobs')} rows={list.jobs} loading={list.loading && !list.jobs} rowKey={j => j.jobId}
          empty={t('No batches yet. Users submit them through POST /v1/batches; you can submit one here.')} columns={[
            { key: 'jobId', label: t('Job'), render: j => <code>{j.jobId}</code> },
            { key: 'userId', label: t('Submitted by'), render: j => j.userId },
            { key: 'model', label: t('model'), render: j => <code>{j.modelId}</code> },
            { key: 'status', label: t('Status'), render: j => <BatchStatus job={j} /> },
            { key: 'cost', label: t('Cost'), align: 'right', render: j => usd(j.costUsd) },
            { key: 'createdAt', label: t('Created'), render: j => when(j.createdAt) },
            { key: 'completedAt', label: t('Finished'), render: j => when(j.completedAt) },
            { key: 'actions', label: '', actions: true, render: j => <>
              <button class="button small" type="button" onClick={() => setShown(j)}>{t('Answers')}</button>
              {!finished(j) && <>{' '}<button class="button small" type="button" onClick={() => stop(j)} {...change(action.busy)}>{t('Stop')}</button></>}
            </> },
          ]} />
        {list.next && <div class="pager">
          <button class="button small" type="button" onClick={list.more} disabled={list.loadingMore}>{t('Load more')}</button>
        </div>}
      </Card>
      <NewBatch open={creating} loaded={!!routing.data || !routing.loading} models={routing.data?.models ?? []} policy={routing.data?.policy} onClose={() => setCreating(false)}
        onSubmitted={job => { setCreating(false); list.add(job); }} />
      <BatchAnswers job={shown} onClose={() => setShown(null)} />
    </Page>
  );
}

/**
 * The listed jobs, newest first, and the cursor of the page after them. `refresh` asks again for the first jobs (as
 * many as are listed, up to a page of 100) and for each unfinished one beyond them, so progress and new jobs show
 * without loading every page again; `more` appends the next page.
 */
function useBatchList() {
  const [state, setState] = useState({ jobs: null, next: null, error: null, loading: true, loadingMore: false });
  const current = useRef(state);
  current.current = state;
  // A refresh that started before a newer change (another refresh, a page appended, a job added) is dropped.
  const seq = useRef(0);

  const refresh = useCallback(async () => {
    if (current.current.loadingMore) return; // its end changes the list, which asks again
    const mine = ++seq.current;
    const listed = current.current.jobs ?? [];
    setState(s => ({ ...s, loading: true }));
    try {
      const first = await api.get(`/v1/batches${query({ limit: Math.min(maxPageSize, Math.max(pageSize, listed.length)) })}`);
      const fresh = new Set(first.jobs.map(j => j.jobId));
      const beyond = listed.filter(j => !fresh.has(j.jobId));
      const again = await Promise.all(beyond.map(j => finished(j) ? j : api.get(jobPath(j.jobId))));
      if (mine !== seq.current) return;
      const next = beyond.length ? current.current.next : first.next;
      setState(s => ({ ...s, jobs: [...first.jobs, ...again], next, error: null, loading: false }));
    } catch (error) {
      if (mine === seq.current) setState(s => ({ ...s, error, loading: false }));
    }
  }, []);

  const more = useCallback(async () => {
    const after = current.current.next;
    if (!after) return;
    ++seq.current;
    setState(s => ({ ...s, loadingMore: true, loading: false }));
    try {
      const page = await api.get(`/v1/batches${query({ after, limit: pageSize })}`);
      setState(s => ({ ...s, jobs: [...(s.jobs ?? []), ...page.jobs.filter(j => !s.jobs?.some(o => o.jobId === j.jobId))], next: page.next, error: null, loadingMore: false }));
    } catch (error) {
      setState(s => ({ ...s, error, loadingMore: false }));
    }
  }, []);

  const replace = useCallback(view => {
    ++seq.current;
    setState(s => ({ ...s, jobs: (s.jobs ?? []).map(j => j.jobId === view.jobId ? view : j) }));
  }, []);
  const add = useCallback(view => {
    ++seq.current;
    setState(s => ({ ...s, jobs: [view, ...(s.jobs ?? []).filter(j => j.jobId !== view.jobId)] }));
  }, []);

  useEffect(() => { refresh(); }, [refresh]);
  return { ...state, refresh, more, replace, add };
}

function BatchStatus({ job }) {
  const done = job.succeeded + job.failed;
  return (
    <span>
      <Badge tone={jobTone(job.status)}>{statusText(job.status)}</Badge>
      {job.waitingFor && <>{' '}<Badge tone="warn">{waitingText(job.waitingFor)}</Badge></>}{' '}
      <JobProgress done={done} total={job.total} bar label={t('{d} of {n} prompts done', { d: done, n: job.total })} />
      {job.failed > 0 && <small class="muted"> · {t('{n} failed', { n: job.failed })}</small>}
    </span>
  );
}

/**
 * The prompts of a chosen file: a .jsonl file holds one a line, as a JSON string or an object with a "prompt" string
 * (kept as written, line breaks and all); any other file one a line of text. Empty lines and prompts are skipped.
 */
function promptsOfFile(name, text) {
  if (!/\.jsonl$/i.test(name)) return lines(text);
  return text.split('\n').flatMap((line, i) => {
    if (!line.trim()) return [];
    let value;
    try { value = JSON.parse(line); } catch { throw new Error(t('Line {n} of {f} is not JSON.', { n: i + 1, f: name })); }
    const prompt = typeof value === 'string' ? value : value?.prompt;
    if (typeof prompt !== 'string') throw new Error(t('Line {n} of {f} is neither a string nor an object with a "prompt" text.', { n: i + 1, f: name }));
    return prompt.trim() ? [prompt] : [];
  });
}

// Why the platform would refuse these prompts, or '' when it takes them.
function promptsProblem(prompts) {
  if (!prompts.length) return t('Write at least one prompt, or choose a file.');
  if (prompts.length > maxPrompts) return t('A batch takes at most {max} prompts; this one has {n}.', { max: fmt(maxPrompts), n: fmt(prompts.length) });
  const long = prompts.findIndex(p => p.length > maxPromptChars);
  if (long >= 0) return t('Prompt {i} has {c} characters; a prompt takes at most {max}.', { i: long + 1, c: fmt(prompts[long].length), max: fmt(maxPromptChars) });
  return '';
}

function NewBatch({ open, loaded, models, policy, onClose, onSubmitted }) {
  const [modelId, setModelId] = useModelChoice(models);
  const [text, setText] = useState('');
  const [file, setFile] = useState(null); // { name, prompts } of a chosen file, which replaces the typed prompts
  const [tokens, setTokens] = useState('');
  const action = useAction();
  const change = useChange();
  useResetOnOpen(open, () => { setModelId(''); setText(''); setFile(null); setTokens(''); action.clear(); });
  const prompts = file ? file.prompts : lines(text);
  const problem = prompts.length ? promptsProblem(prompts) : '';

  async function choose(e) {
    const chosen = e.currentTarget.files?.[0];
    e.currentTarget.value = ''; // the same file chosen again is read again
    if (!chosen) return;
    try { setFile({ name: chosen.name, prompts: promptsOfFile(chosen.name, await chosen.text()) }); } catch (err) { action.fail(err.message); }
  }

  async function submit(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const refused = promptsProblem(prompts);
    if (refused) { action.fail(refused); return; }
    const body = { modelId, prompts, ...(tokens === '' ? {} : { maxOutputTokens: Number(tokens) }) };
    const job = await action.run(() => api.post('/v1/batches', body));
    if (job) onSubmitted(job);
  }

  return (
    <Dialog title={t('New batch')} open={open} onClose={onClose}>
      {/* Until the catalog arrives there is nothing to say about it (an empty one would read "no model yet"). */}
      {!loaded && <p class="muted" role="status">{t('loading')}</p>}
      {loaded && !catalogReady(models, policy) && <NoCatalogModel models={models} policy={policy} why={t('The tenant has no model to answer a batch yet.')} />}
      {loaded && catalogReady(models, policy) && <form class="form" onSubmit={submit} {...action.formProps}>
        <p class="muted">{t('Each prompt is answered on its own, as a turn of yours pinned to this model, without the knowledge base: limits, moderation and the budget apply, at the batch rate.')}</p>
        <ModelSelect models={models} value={modelId} onChange={setModelId} />
        {file
          ? <div class="note ok">
            <span>{t('{n} prompts from {f}', { n: fmt(file.prompts.length), f: file.name })}</span>
            <button class="button small" type="button" onClick={() => setFile(null)}>{t('Type prompts instead')}</button>
          </div>
          : <Field label={t('Prompts (one a line)')} hint={t('Up to {n} prompts of up to {c} characters each; empty lines are skipped.', { n: fmt(maxPrompts), c: fmt(maxPromptChars) })}>
            <textarea class="input" rows="6" required value={text} onInput={e => setText(e.currentTarget.value)} />
          </Field>}
        <Field label={t('Or read them from a file')} hint={t('.txt: one prompt a line. .jsonl: one a line, as "text" or {"prompt": "text"}.')}>
          <input class="input" type="file" accept=".txt,.jsonl,text/plain,application/x-ndjson" onChange={choose} />
        </Field>
        <Field label={t('Max output tokens')} hint={t('Answer tokens a prompt, {min} to {max}; {d} when empty.', { min: 1, max: fmt(maxOutputTokens), d: defaultOutputTokens })}>
          <input class="input" type="number" min="1" max={maxOutputTokens} step="1" placeholder={String(defaultOutputTokens)} value={tokens}
            onInput={e => setTokens(e.currentTarget.value)} />
        </Field>
        <p role="status" class={problem ? 'field-error' : 'muted'} data-testid="prompt-count">
          {problem || (prompts.length === 1 ? t('1 prompt will be sent.') : t('{n} prompts will be sent.', { n: fmt(prompts.length) }))}
        </p>
        <ErrorNote error={action.error} />
        <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('Submit the batch')}</button></div>
      </form>}
    </Dialog>
  );
}

// The fetched answers as JSON Lines, one item a line as the API gives it, saved by the browser.
function downloadJsonl(jobId, items) {
  const blob = new Blob([items.map(i => JSON.stringify(i)).join('\n') + '\n'], { type: 'application/x-ndjson' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `${jobId}.jsonl`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

const itemTone = s => s === 'succeeded' ? 'ok' : s === 'failed' ? 'danger' : 'neutral';

function BatchAnswers({ job, onClose }) {
  const jobId = job?.jobId;
  const [answers, setAnswers] = useState({ items: null, nextAfter: null });
  const [fetched, setFetched] = useState(null); // answers fetched so far for the download, while it pages
  const action = useAction();
  // The job whose answers are shown: a page that arrives after the dialog moved on to another job is dropped.
  const shownFor = useRef(null);

  async function load(after) {
    const forJob = shownFor.current;
    const page = await action.run(() => api.get(`${jobPath(forJob)}/results${query({ after, limit: answersPage })}`));
    if (!page || shownFor.current !== forJob) return;
    setAnswers(a => ({ items: after === undefined ? page.items : [...a.items, ...page.items], nextAfter: page.nextAfter ?? null }));
  }
  useEffect(() => {
    shownFor.current = jobId;
    setAnswers({ items: null, nextAfter: null });
    setFetched(null);
    if (jobId) load();
  }, [jobId]); // eslint-disable-line react-hooks/exhaustive-deps
  const items = answers.items;

  // The file holds every answer, not only the pages shown: the rest are fetched first (dropped if the dialog moves on).
  async function download() {
    const forJob = shownFor.current;
    let all = items;
    let after = answers.nextAfter;
    setFetched(all.length);
    const done = await action.run(async () => {
      while (after !== null) {
        const page = await api.get(`${jobPath(forJob)}/results${query({ after, limit: downloadPage })}`);
        if (shownFor.current !== forJob) return false;
        all = [...all, ...page.items];
        after = page.nextAfter ?? null;
        setFetched(all.length);
      }
      return true;
    });
    if (shownFor.current !== forJob) return;
    setFetched(null);
    if (done) downloadJsonl(forJob, all);
  }

  return (
    <Dialog title={job ? t('Answers of {n}', { n: job.jobId }) : ''} open={!!job} onClose={onClose}>
      <ErrorNote error={action.error} onRetry={items ? undefined : () => load()} />
      {items && <DataTable label={t('Answers')} rows={items} rowKey={x => x.index} columns={[
        { key: 'index', label: '#', align: 'right', render: x => x.index + 1 },
        { key: 'prompt', label: t('Prompt'), render: x => <div class="answer-cell">{x.prompt ?? <span class="muted">—</span>}</div> },
        { key: 'status', label: t('Status'), render: x => <Badge tone={itemTone(x.status)}>{statusText(x.status)}</Badge> },
        { key: 'answer', label: t('Answer'), render: x => <div class="answer-cell">{x.answer ?? <span class="muted">{x.error ?? '—'}</span>}</div> },
        { key: 'tokens', label: t('Tokens'), align: 'right', render: x => t('{p} in ({c} cached) · {o} out', { p: fmt(x.promptTokens), c: fmt(x.cachedTokens), o: fmt(x.completionTokens) }) },
        { key: 'cost', label: t('Cost'), align: 'right', render: x => usd(x.costUsd) },
      ]} />}
      {items && <div class="pager">
        {answers.nextAfter !== null && <button class="button small" type="button" onClick={() => load(answers.nextAfter)} disabled={action.busy}>{t('Load more')}</button>}
        <button class="button small" type="button" onClick={download} disabled={!items.length || fetched !== null || action.busy}>{t('Download JSONL')}</button>
        {fetched !== null && job && <span class="muted small" role="status">{t('Fetching answers for the download: {d} of {n}', { d: fmt(fetched), n: fmt(job.total) })}</span>}
      </div>}
    </Dialog>
  );
}
