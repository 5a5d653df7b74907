// Usage and cost over time, by user and by model, with what caching and routing saved, and the rows as a table.
import { useMemo, useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { ChartView } from '../charts.jsx';
import { codeText, t } from '../strings.js';
import { Card, DataTable, ErrorNote, Field, Filters, Page, Stat, Badge, fmt, query, usd, useLoad } from '../ui.jsx';
import { daysBetween, lastDays, perDay, savings, top } from '../usage.js';

const ranges = [7, 30, 90];
const pageSize = 20;

export function Usage() {
  const [days, setDays] = useState(30);
  const [userId, setUserId] = useState('');
  const [applied, setApplied] = useState('');
  const range = useMemo(() => lastDays(days), [days]);
  const report = useLoad(() => api.get(`/v1/usage${query({ from: range.from.toISOString(), to: range.to.toISOString(), userId: applied })}`), [range, applied]);

  return (
    <Page busy={report.loading} title={t('nav.usage')} description={t('Tokens, cost and turns per day, user and model, with what caches and routing saved.')}
      actions={
        <div class="segmented" role="group" aria-label={t('Range')}>
          {ranges.map(d => <button key={d} type="button" class={d === days ? 'active' : ''} aria-pressed={d === days} onClick={() => setDays(d)}>{t('{n} days', { n: d })}</button>)}
        </div>
      }>
      <Filters onSubmit={() => setApplied(userId.trim())}>
        <Field label={t('user')}><input class="input" value={userId} placeholder={t('All users')} onInput={e => setUserId(e.currentTarget.value)} /></Field>
        <button class="button" type="submit">{t('apply')}</button>
      </Filters>
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.data && <UsageReport report={report.data} range={range} />}
      {!report.data && report.loading && <p class="muted">{t('loading')}</p>}
    </Page>
  );
}

function UsageReport({ report, range }) {
  const [page, setPage] = useState(0);
  const [kind, setKind] = useState('');
  const [text, setText] = useState('');
  const rows = report.rows;
  const totals = report.totals;
  const days = daysBetween(range.from, range.to);
  const saved = savings(totals);
  const byUser = top(rows, r => r.userId, 'costUsd', 8, t('others'));
  const byUserTurns = top(rows, r => r.userId, 'turns', 8, t('others'));
  const byModel = top(rows, r => r.model || t('none'), 'costUsd', 8, t('others'));
  const byModelTurns = top(rows, r => r.model || t('none'), 'turns', 8, t('others'));
  const anyCost = byModel.some(([, v]) => v > 0);
  const needle = text.trim().toLowerCase();
  const filtered = rows.filter(r => (!kind || r.kind === kind) && (!needle || `${r.userId} ${r.model ?? ''} ${r.day}`.toLowerCase().includes(needle))).sort((a, b) => b.day.localeCompare(a.day) || b.costUsd - a.costUsd);
  const shown = filtered.slice(page * pageSize, page * pageSize + pageSize);
  const pages = { number: page + 1, hasPrev: page > 0, hasNext: (page + 1) * pageSize < filtered.length, prev: () => setPage(p => p - 1), next: () => setPage(p => p + 1) };

  return (
    <>
      <div class="stats">
        <Stat label={t('Cost')} value={usd(totals.costUsd)} hint={t('{n} model calls', { n: fmt(totals.modelCalls) })} />
        <Stat label={t('Turns')} value={fmt(totals.turns)} hint={t('{s} summaries · {b} batch items · {e} evaluation cases', { s: fmt(totals.summaries), b: fmt(totals.batchItems), e: fmt(totals.evaluationTurns ?? 0) })} />
        <Stat label={t('Tokens')} value={fmt(totals.promptTokens + totals.completionTokens)}
          hint={totals.turns > 0 && totals.modelCalls === 0
            // Turns and no model call: every answer was quoted from the documents, cached or canned (a model bills tokens).
            ? t('No model wrote these answers: quoted from documents, cached or canned answers use no tokens.')
            : t('{p} prompt ({c} cached) · {o} output', { p: fmt(totals.promptTokens), c: fmt(totals.cachedTokens), o: fmt(totals.completionTokens) })} />
        <Stat label={t('Saved')} value={usd(saved.total)} tone="ok"
          hint={t('prompt cache {a} · answer cache {b} · routing {c}', { a: usd(saved.cached), b: usd(saved.caches), c: usd(saved.routing) })} />
      </div>

      <div class="grid-2">
        <Card title={t('Turns per day')}>
          <ChartView type="bar" testId="usage-turns-chart" label={t('Turns per day')} labels={days} stacked
            datasets={[
              { label: t('Chat turns'), data: perDay(rows, days, 'turns') },
              { label: t('Summaries'), data: perDay(rows, days, 'summaries') },
              { label: t('Batch items'), data: perDay(rows, days, 'batchItems') },
              { label: t('Evaluation cases'), data: perDay(rows, days, 'evaluationTurns') },
            ]} />
        </Card>
        <Card title={t('Cost and savings per day')}>
          <ChartView type="line" testId="usage-cost-chart" label={t('Cost and savings per day')} labels={days} format={usd}
            datasets={[
              { label: t('Cost'), data: perDay(rows, days, 'costUsd') },
              { label: t('Saved by routing'), data: perDay(rows, days, 'routingSavingsUsd'), color: '#10b981' },
              { label: t('Saved by caches'), data: perDay(rows, days, 'cacheSavingsUsd'), color: '#06b6d4' },
            ]} />
        </Card>
        <Card title={anyCost ? t('Cost by user') : t('Turns by user')}>
          <ChartView type="bar" testId="usage-user-chart" label={t('By user')} labels={(anyCost ? byUser : byUserTurns).map(e => e[0])}
            format={anyCost ? usd : fmt} datasets={[{ label: anyCost ? t('Cost') : t('Turns'), data: (anyCost ? byUser : byUserTurns).map(e => e[1]) }]} />
        </Card>
        <Card title={anyCost ? t('Cost by model') : t('Turns by model')}>
          <ChartView type="doughnut" testId="usage-model-chart" label={t('By model')} labels={(anyCost ? byModel : byModelTurns).map(e => e[0])}
            format={anyCost ? usd : fmt} datasets={[{ label: anyCost ? t('Cost') : t('Turns'), data: (anyCost ? byModel : byModelTurns).map(e => e[1]) }]} />
        </Card>
      </div>

      <Card title={t('Usage rows')} actions={<>
        <input class="input compact" type="search" placeholder={t('user, model or day')} aria-label={t('Filter usage rows')} value={text}
          onInput={e => { setText(e.currentTarget.value); setPage(0); }} />
        <select class="input compact" aria-label={t('Kind')} value={kind} onChange={e => { setKind(e.currentTarget.value); setPage(0); }}>
          <option value="">{t('All kinds')}</option>
          <option value="turn">{t('Chat turns')}</option>
          <option value="summary">{t('Summaries')}</option>
          <option value="batch">{t('Batch items')}</option>
          <option value="evaluation">{t('Evaluation cases')}</option>
        </select>
      </>}>
        <DataTable label={t('Usage rows')} rows={shown} pages={pages} columns={[
          { key: 'day', label: t('Day') },
          { key: 'userId', label: t('user') },
          { key: 'model', label: t('model'), render: r => r.model || '—' },
          { key: 'kind', label: t('Kind'), render: r => <Badge>{codeText(r.kind)}</Badge> },
          { key: 'turns', label: t('Turns'), align: 'right', render: r => fmt(r.turns + r.summaries + r.batchItems + (r.evaluationTurns ?? 0)) },
          { key: 'promptTokens', label: t('Prompt'), align: 'right' },
          { key: 'cachedTokens', label: t('Cached'), align: 'right' },
          { key: 'completionTokens', label: t('Output'), align: 'right' },
          { key: 'costUsd', label: t('Cost'), align: 'right', render: r => usd(r.costUsd) },
          { key: 'saved', label: t('Saved'), align: 'right', render: r => usd(r.cachedTokenSavingsUsd + r.cacheSavingsUsd + r.routingSavingsUsd) },
        ]} />
      </Card>
    </>
  );
}
