// Drift: whether the tenant's questions and answers still look like the reference window. The last check's signals,
// "check now" and "use the current window as the reference", and the drift events, newest first.
import { api } from '../../shared/api.js';
import { confirmAction } from '../../shared/confirm.jsx';
import { t } from '../strings.js';
import { Badge, Card, DataTable, ErrorNote, Page, Stat, fmt, query, useAction, useLoad, usePages, when, useChange } from '../ui.jsx';

// A check's outcome in words (the API's code when it is a new one).
const outcomeText = o => { const key = `drift.${o}`; const text = t(key); return text === key ? String(o).replace(/_/g, ' ') : text; };
const outcomeTone = o => o === 'drifted' ? 'danger' : o === 'steady' ? 'ok' : 'neutral';

export function Drift() {
  const status = useLoad(() => api.get('/v1/drift'));
  const events = usePages(async before => {
    const page = await api.get(`/v1/drift/events${query({ before, limit: 20 })}`);
    return { items: page.events, next: page.nextBefore };
  });
  const action = useAction();
  const change = useChange();
  const s = status.data;
  const report = s?.lastReport;
  const reload = () => { status.reload(); events.reload(); };
  const check = async () => { if (await action.run(() => api.post('/v1/drift/check'))) reload(); };
  const setReference = async () => {
    // The reference it replaces is gone for good: later checks compare against this window.
    if (!(await confirmAction(t('Make the current window the reference? The reference it replaces is discarded, and later checks compare against this window.'),
      { action: t('Use the current window as the reference'), cancel: t('cancel') }))) return;
    if (await action.run(() => api.post('/v1/drift/reference'))) reload();
  };
  return (
    <Page title={t('nav.drift')} busy={status.loading}
      description={t('Whether questions (topics, language, length) and answers (refusals, empty searches, fallbacks, thumbs-down) still look like the reference window.')}
      actions={<>
        <button class="button primary" onClick={check} {...change(action.busy)}>{t('Check now')}</button>
        <button class="button secondary" onClick={setReference} {...change(action.busy)}>{t('Use the current window as the reference')}</button>
      </>}>
      <ErrorNote error={status.error ?? action.error} onRetry={status.reload} />
      {s && <div class="stats">
        <Stat label={t('Reference questions')} value={fmt(s.referenceQuestions)} hint={s.referenceTo ? when(s.referenceTo) : t('not set yet')} />
        <Stat label={t('Questions in this window')} value={fmt(s.windowQuestions)} hint={`${t('since')} ${when(s.windowStartedAt)}`} />
        <Stat label={t('Last check')} value={report ? outcomeText(report.outcome) : '—'} tone={report?.outcome === 'drifted' ? 'danger' : undefined}
          hint={report ? when(report.checkedAt) : t('every {n} min', { n: s.thresholds.checkPeriodMinutes })} />
      </div>}
      {report?.signals?.length > 0 && <Card title={t('Last check')}>
        <DataTable label={t('Signals')} rows={report.signals} rowKey={x => x.name} columns={[
          { key: 'name', label: t('Signal'), render: x => <code>{x.name}</code> },
          { key: 'statistic', label: t('Statistic'), render: x => x.statistic },
          { key: 'value', label: t('Value'), render: x => x.value },
          { key: 'threshold', label: t('Threshold'), render: x => x.threshold },
          { key: 'noise', label: t('Noise level'), render: x => x.noiseLevel ?? '—' },
          { key: 'breached', label: '', render: x => x.breached ? <Badge tone="danger">{t('breached')}</Badge> : <Badge tone="ok">{t('ok')}</Badge> },
        ]} />
      </Card>}
      <ErrorNote error={events.error} onRetry={events.reload} />
      <Card title={t('Drift events')}>
        <DataTable label={t('Drift events')} rows={events.data?.items} loading={events.loading} pages={events} rowKey={e => e.id} columns={[
          { key: 'at', label: t('When'), render: e => when(e.at) },
          { key: 'outcome', label: t('Outcome'), render: e => <Badge tone={outcomeTone(e.report.outcome)}>{outcomeText(e.report.outcome)}</Badge> },
          { key: 'breached', label: t('Breached'), render: e => e.breached.map(b => <code key={b}>{b} </code>) },
          { key: 'questions', label: t('Questions'), render: e => `${fmt(e.report.questions)} / ${fmt(e.report.referenceQuestions)}` },
        ]} />
      </Card>
    </Page>
  );
}
