// The dashboard: this month's spend, turns, savings, budget and satisfaction at a glance, the last two weeks of turns,
// and the latest routing events.
import { api } from '../../shared/api.js';
import { ChartView } from '../charts.jsx';
import { codeText, t } from '../strings.js';
import { Badge, Card, DataTable, ErrorNote, Page, Stat, fmt, query, usd, useLoad, when } from '../ui.jsx';
import { daysBetween, lastDays, perDay, savings } from '../usage.js';

export function Overview({ me }) {
  const range = lastDays(14);
  const usage = useLoad(() => api.get(`/v1/usage${query({ from: range.from.toISOString(), to: range.to.toISOString() })}`));
  const month = useLoad(() => api.get('/v1/usage'));
  const budget = useLoad(() => api.get('/v1/routing/budget'));
  const feedback = useLoad(() => api.get('/v1/feedback?limit=1'));
  const events = useLoad(() => api.get('/v1/routing/events?limit=6'));
  const totals = month.data?.totals;
  const saved = savings(totals);
  const days = daysBetween(range.from, range.to);
  const up = feedback.data?.up ?? 0, down = feedback.data?.down ?? 0;

  return (
    <Page busy={usage.loading || month.loading || budget.loading || feedback.loading || events.loading} title={t('Welcome, {n}', { n: me.displayName || me.userId })} description={t('{t} this month at a glance.', { t: me.tenantName })}>
      <ErrorNote error={month.error || usage.error} onRetry={() => { month.reload(); usage.reload(); }} />
      <div class="stats">
        <Stat label={t('Spend this month')} value={totals ? usd(totals.costUsd) : '…'}
          hint={budget.data?.budgetUsd != null ? t('of {b} budget', { b: usd(budget.data.budgetUsd) }) : t('no budget set')} />
        <Stat label={t('Turns this month')} value={totals ? fmt(totals.turns) : '…'} hint={totals && t('{n} tokens', { n: fmt(totals.promptTokens + totals.completionTokens) })} />
        <Stat label={t('Saved by caching and routing')} value={usd(saved.total)} tone="ok" />
        <Stat label={t('Satisfaction')} value={up + down ? `${Math.round(100 * up / (up + down))}%` : '—'} hint={t('{u} up · {d} down', { u: up, d: down })} />
      </div>
      <div class="grid-2 wide-first">
        <Card title={t('Turns, last 14 days')} actions={<a class="button small" href="#/usage">{t('Usage & cost')} →</a>}>
          {usage.data && <ChartView type="line" testId="overview-turns-chart" label={t('Turns, last 14 days')} labels={days}
            datasets={[{ label: t('Turns'), data: perDay(usage.data.rows, days, 'turns') }]} />}
        </Card>
        <Card title={t('Latest routing events')} actions={<a class="button small" href="#/routing-events">{t('All')} →</a>}>
          <DataTable label={t('Latest routing events')} rows={events.data} loading={events.loading} empty={t('Nothing has happened yet.')} columns={[
            { key: 'kind', label: t('Kind'), render: e => <Badge>{codeText(e.kind)}</Badge> },
            { key: 'at', label: t('When'), render: e => when(e.at) },
          ]} />
        </Card>
      </div>
    </Page>
  );
}
