// The monthly budget: spend against it, money held by answers in flight, the alerts raised, and what happens at 100 %.
import { useState } from 'preact/hooks';
import { api, ifVersion } from '../../shared/api.js';
import { t } from '../strings.js';
import { Badge, Card, DataTable, ErrorNote, Field, Page, Stat, useAction, useLoad, usd, when, useChange } from '../ui.jsx';

export function Budget() {
  const budget = useLoad(() => api.get('/v1/routing/budget'));
  const config = useLoad(() => api.get('/v1/routing'));
  const b = budget.data;
  const used = b?.budgetUsd ? Math.min(1, (b.spentUsd + b.reservedUsd) / b.budgetUsd) : 0;
  const reload = () => { budget.reload(); config.reload(); };

  return (
    <Page busy={budget.loading || config.loading} title={t('nav.budget')} description={t('A monthly ceiling on model spend, with alerts as it fills.')}>
      <ErrorNote error={budget.error || config.error} onRetry={reload} />
      {b && (
        <>
          <div class="stats">
            <Stat label={t('Budget for {m}', { m: b.month })} value={b.budgetUsd == null ? t('none') : usd(b.budgetUsd)} />
            <Stat label={t('Spent')} value={usd(b.spentUsd)} tone={b.exhausted ? 'danger' : undefined} />
            <Stat label={t('Held by answers in flight')} value={usd(b.reservedUsd)} hint={t('{n} reservations', { n: b.reservationsInFlight })} />
            <Stat label={t('Available')} value={b.budgetUsd == null ? '∞' : usd(b.availableUsd)} tone={b.exhausted ? 'danger' : 'ok'} />
          </div>
          {b.budgetUsd != null && (
            <Card>
              <div class="meter" role="meter" aria-label={t('Budget used')} aria-valuemin="0" aria-valuemax="100" aria-valuenow={Math.round(used * 100)}>
                <div class={`meter-fill ${used >= 1 ? 'danger' : used >= 0.8 ? 'warn' : ''}`} style={{ width: `${used * 100}%` }} />
                {[80, 100].map(p => <span key={p} class="meter-mark" style={{ left: `${p}%` }}>{p}%</span>)}
              </div>
            </Card>
          )}
        </>
      )}
      <div class="grid-2">
        {config.data && <BudgetForm policy={config.data.policy} version={config.data.version} onSaved={reload} />}
        <Card title={t('Alerts')}>
          <DataTable label={t('Alerts')} rows={b?.alerts} loading={budget.loading} empty={t('No alerts this month.')} columns={[
            { key: 'thresholdPercent', label: t('Threshold'), render: a => <Badge tone={a.thresholdPercent >= 100 ? 'danger' : 'warn'}>{a.thresholdPercent}%</Badge> },
            { key: 'spentUsd', label: t('Spent'), align: 'right', render: a => usd(a.spentUsd) },
            { key: 'budgetUsd', label: t('Budget'), align: 'right', render: a => usd(a.budgetUsd) },
            { key: 'at', label: t('When'), render: a => when(a.at) },
          ]} />
        </Card>
      </div>
    </Page>
  );
}

function BudgetForm({ policy, version, onSaved }) {
  const [amount, setAmount] = useState(policy?.monthlyBudgetUsd ?? '');
  const [atLimit, setAtLimit] = useState(policy?.atBudgetLimit ?? 'downgrade');
  const action = useAction();
  const change = useChange();
  async function save(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const body = { ...policy, monthlyBudgetUsd: amount === '' ? null : Number(amount), atBudgetLimit: atLimit };
    // The policy is saved whole: if it changed since this page read it (a promotion, another admin), the save is refused.
    if (await action.run(() => api.put('/v1/routing/policy', body, ifVersion(version)))) onSaved();
  }
  return (
    <Card title={t('Set the budget')}>
      {!policy ? <p class="muted">{t('Set a routing policy first (Models & routing): the budget is part of it.')}</p> : (
        <form class="form" onSubmit={save} {...action.formProps}>
          <Field label={t('Monthly budget (USD; empty for none)')}><input class="input" type="number" step="0.01" min="0" value={amount} onInput={e => setAmount(e.currentTarget.value)} /></Field>
          <Field label={t('At 100 %')}>
            <select class="input" value={atLimit} onChange={e => setAtLimit(e.currentTarget.value)}>
              <option value="downgrade">{t('downgrade: small model only')}</option>
              <option value="refuse">{t('refuse: no more answers this month')}</option>
            </select>
          </Field>
          <p class="muted small">{t('Alerts are raised at 80 % and 100 % and appear in the routing events.')}</p>
          <ErrorNote error={action.error} />
          <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('save')}</button></div>
        </form>
      )}
    </Card>
  );
}
