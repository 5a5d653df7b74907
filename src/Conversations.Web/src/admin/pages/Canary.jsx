// A canary release: send a share of the baseline's conversations to a candidate model, compare the two arms, and
// promote or roll back (the platform also rolls back by itself past the thresholds).
import { useState } from 'preact/hooks';
import { api, ifVersion } from '../../shared/api.js';
import { ChartView } from '../charts.jsx';
import { t } from '../strings.js';
import { Badge, Card, ErrorNote, Field, Page, Stat, fmt, useAction, useLoad, useChange } from '../ui.jsx';
import { confirmAction, confirmWithText } from '../../shared/confirm.jsx';

const verdictTone = v => v === 'rollback' ? 'danger' : v === 'ready-to-promote' ? 'ok' : 'accent';
// The evaluator's verdict in the page's language (the verdict itself where it has no translation).
const verdictText = v => { const key = `verdict.${v}`; const text = t(key); return text === key ? v : text; };
const pct = v => `${(Number(v || 0) * 100).toFixed(1)}%`;

export function Canary() {
  const config = useLoad(() => api.get('/v1/routing'));
  const canary = useLoad(() => api.get('/v1/routing/canary'));
  const action = useAction();
  const change = useChange();
  const running = config.data?.policy?.canary;
  const reload = () => { config.reload(); canary.reload(); };
  const [gateSet, setGateSet] = useState(null); // the evaluation set the promotion gate is asking, while it runs
  // The gate asks the canary's set of both models inside the request: the page says so while it waits.
  const withGate = async work => {
    setGateSet(running?.evaluationSetId ?? null);
    try { return await work(); } finally { setGateSet(null); }
  };

  async function promote() {
    if (!(await confirmAction(t('Promote {m}? It replaces {b} in the policy.', { m: running.candidateModelId, b: running.baselineModelId }), { action: t('Promote'), cancel: t('cancel') }))) return;
    // The evaluation gate refused (422): the admin may promote anyway, with a reason that the routing events and the
    // audit log keep. Any other failure (an undecided gate, no canary any more) is shown as it is.
    const refused = await withGate(() => action.run(() => api.post('/v1/routing/canary/promote').then(() => null, e => { if (e.status === 422) return e; throw e; })));
    if (refused === null) { reload(); return; }
    if (!refused) return;
    const reason = await confirmWithText(t('Promote anyway? The evaluation gate refused: {r}', { r: refused.message }),
      { label: t('Why promote anyway? (kept in the routing events and the audit log)'), action: t('Promote anyway'), cancel: t('cancel'), maxLength: 500 });
    if (reason === null || !reason.trim()) return;
    if (await withGate(() => action.run(() => api.post('/v1/routing/canary/promote', { override: true, reason: reason.trim() })))) reload();
  }
  async function rollback() {
    const reason = await confirmWithText(t('Roll back {m}? Every turn goes to {b} again.', { m: running.candidateModelId, b: running.baselineModelId }),
      { label: t('Why roll back? (kept in the routing events)'), value: t('rolled back by an administrator'), action: t('Roll back'), cancel: t('cancel') });
    if (reason === null) return;
    if (await action.run(() => api.post('/v1/routing/canary/rollback', { reason }))) reload();
  }

  const c = canary.data;
  return (
    <Page busy={config.loading || canary.loading} title={t('nav.canary')} description={t('Try a new model on a share of traffic and keep it only if it is as good as the one it replaces.')}
      actions={running && <>
        <button class="button" type="button" onClick={rollback} {...change(action.busy)}>{t('Roll back')}</button>
        <button class="button primary" type="button" onClick={promote} {...change(action.busy)}>{t('Promote')}</button>
      </>}>
      <ErrorNote error={config.error || canary.error || action.error} onRetry={reload} />
      {gateSet && <GateRunning setId={gateSet} />}
      {running && c && (
        <>
          <div class="stats">
            <Stat label={t('Candidate')} value={running.candidateModelId} hint={t('{s} of {b} traffic', { s: pct(running.share), b: running.baselineModelId })} />
            <Stat label={t('Verdict')} value={<Badge tone={verdictTone(c.verdict)}>{verdictText(c.verdict)}</Badge>} hint={c.reason} />
            <Stat label={t('Candidate turns')} value={fmt(c.candidate.turns)} hint={t('needs {n} per arm', { n: running.minTurnsPerArm })} />
            <Stat label={t('Baseline turns')} value={fmt(c.baseline.turns)} />
          </div>
          <div class="grid-2">
            <Card title={t('Error rate and thumbs down')}>
              <ChartView type="bar" label={t('Error rate and thumbs down')} labels={[t('Error rate'), t('Thumbs down share')]} format={v => pct(v)}
                datasets={[
                  { label: t('Baseline'), data: [c.baseline.errorRate, c.baseline.feedbackVotes ? c.baseline.negativeVotes / c.baseline.feedbackVotes : 0], color: '#64748b' },
                  { label: t('Candidate'), data: [c.candidate.errorRate, c.candidate.feedbackVotes ? c.candidate.negativeVotes / c.candidate.feedbackVotes : 0] },
                ]} />
            </Card>
            <Card title={t('Arms')}>
              {/* Scrolls on its own on a phone, rather than the whole page sideways. */}
              <div class="table-wrap"><table class="table">
                <thead><tr><th />{['Turns', 'Errors', 'TTFT p95', 'Votes', 'Thumbs down'].map(h => <th key={h} class="num">{t(h)}</th>)}</tr></thead>
                <tbody>
                  {[['Baseline', c.baseline], ['Candidate', c.candidate]].map(([name, a]) => (
                    <tr key={name}><th scope="row">{t(name)}</th><td class="num">{fmt(a.turns)}</td><td class="num">{fmt(a.errors)}</td>
                      <td class="num">{a.firstTokenP95Ms ? `${Math.round(a.firstTokenP95Ms)} ms` : '—'}</td><td class="num">{fmt(a.feedbackVotes)}</td><td class="num">{fmt(a.negativeVotes)}</td></tr>
                  ))}
                </tbody>
              </table></div>
            </Card>
          </div>
        </>
      )}
      {config.data && !running && <StartCanary config={config.data} onStarted={reload} />}
    </Page>
  );
}

function StartCanary({ config, onStarted }) {
  const ids = config.models.map(m => m.id);
  const sets = useLoad(() => api.get('/v1/evaluations/sets'));
  const [form, setForm] = useState({ candidateModelId: '', baselineModelId: config.policy?.largeModelId ?? '', share: 0.1, minTurnsPerArm: 200, maxErrorRateIncrease: 0.02, maxTtftP95Ratio: 1.5, minFeedbackPerArm: 30, maxNegativeFeedbackIncrease: 0.1, promoteAfterTurns: 1000, evaluationSetId: '' });
  const action = useAction();
  const change = useChange();
  const [gateSet, setGateSet] = useState(null); // the evaluation set asked as the canary starts, while it runs
  const set = (k, conv = v => v) => e => setForm(f => ({ ...f, [k]: conv(e.currentTarget.value) }));
  async function start(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const canary = { ...form, evaluationSetId: form.evaluationSetId || null };
    setGateSet(canary.evaluationSetId);
    try {
      if (await action.run(() => api.put('/v1/routing/policy', { ...config.policy, canary }, ifVersion(config.version)))) onStarted();
    } finally {
      setGateSet(null);
    }
  }
  if (!config.policy) return <Card><p class="muted">{t('Set a routing policy first (Models & routing).')}</p></Card>;
  return (
    <Card title={t('Start a canary')}>
      <p class="muted">{t('No canary is running.')}</p>
      <form class="form" onSubmit={start} {...action.formProps}>
        <div class="grid-3">
          <Field label={t('Candidate')}><select class="input" required value={form.candidateModelId} onChange={set('candidateModelId')}><option value="">—</option>{ids.map(i => <option key={i}>{i}</option>)}</select></Field>
          <Field label={t('Baseline')}><select class="input" required value={form.baselineModelId} onChange={set('baselineModelId')}><option value="">—</option>{ids.map(i => <option key={i}>{i}</option>)}</select></Field>
          <Field label={t('Share of traffic (0–1)')}><input class="input" type="number" step="0.01" min="0" max="1" required value={form.share} onInput={set('share', Number)} /></Field>
        </div>
        <div class="grid-3">
          <Field label={t('Turns per arm before a verdict')}><input class="input" type="number" min="1" max="1000" required value={form.minTurnsPerArm} onInput={set('minTurnsPerArm', Number)} /></Field>
          <Field label={t('Max error-rate rise')}><input class="input" type="number" step="0.01" min="0" max="1" required value={form.maxErrorRateIncrease} onInput={set('maxErrorRateIncrease', Number)} /></Field>
          <Field label={t('Max TTFT p95 ratio')}><input class="input" type="number" step="0.1" min="1" max="100" required value={form.maxTtftP95Ratio} onInput={set('maxTtftP95Ratio', Number)} /></Field>
        </div>
        <Field label={t('Evaluation set (optional)')} hint={t('Run against both models when the canary starts and again before promotion.')}>
          <select class="input" value={form.evaluationSetId} onChange={set('evaluationSetId')}>
            <option value="">—</option>{(sets.data ?? []).map(s => <option key={s.setId} value={s.setId}>{s.name}</option>)}
          </select>
        </Field>
        <ErrorNote error={action.error} />
        {gateSet && <GateRunning setId={gateSet} />}
        <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('Start canary')}</button></div>
      </form>
    </Card>
  );
}

// Said while a request runs an evaluation set against both arms (starting the canary, or its promotion gate).
function GateRunning({ setId }) {
  return (
    <p class="muted" role="status" data-testid="gate-running">
      {t('Running evaluation set {s} on both models: each case is a real, billed turn. This can take a few minutes; keep this page open.', { s: setId })}
    </p>
  );
}
