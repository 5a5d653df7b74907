// The logs: moderation events, feedback on answers and routing events, each a filtered table with paging.
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { Icon } from '../../shared/icons.jsx';
import { codeText, t } from '../strings.js';
import { Badge, Card, DataTable, ErrorNote, Field, Filters, Page, Stat, query, useChange, usePages, when } from '../ui.jsx';
import { CaseFromVote } from './Evaluations.jsx';

const actionTone = a => a === 'block' ? 'danger' : a === 'mask' ? 'warn' : 'neutral';
const isoOrEmpty = d => d ? new Date(d).toISOString() : '';

/** Filter inputs kept as a draft until applied, so a table reloads once per search. */
function useFilters(initial) {
  const [draft, setDraft] = useState(initial);
  const [applied, setApplied] = useState(initial);
  const set = k => e => setDraft(d => ({ ...d, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value }));
  return { draft, applied, set, apply: () => setApplied({ ...draft }) };
}

export function ModerationEvents() {
  const f = useFilters({ phase: '', action: '', userId: '', label: '', since: '' });
  const pages = usePages(async cursor => {
    const a = f.applied;
    const page = await api.get(`/v1/moderation/events${query({ ...a, since: isoOrEmpty(a.since), cursor, limit: 25 })}`);
    return { items: page.events, next: page.nextCursor };
  }, [f.applied]);
  return (
    <Page title={t('nav.moderation-events')} description={t('What moderation found in questions and answers (content stored masked).')}>
      <Filters onSubmit={f.apply}>
        <Field label={t('Phase')}><select class="input" value={f.draft.phase} onChange={f.set('phase')}><option value="">{t('all')}</option><option value="input">{t('question')}</option><option value="output">{t('answer')}</option></select></Field>
        <Field label={t('Action')}><select class="input" value={f.draft.action} onChange={f.set('action')}><option value="">{t('all')}</option>{['block', 'mask', 'allow'].map(v => <option key={v} value={v}>{codeText(v)}</option>)}</select></Field>
        <Field label={t('user')}><input class="input" value={f.draft.userId} onInput={f.set('userId')} /></Field>
        <Field label={t('Label')}><input class="input" value={f.draft.label} onInput={f.set('label')} /></Field>
        <Field label={t('Since')}><input class="input" type="date" value={f.draft.since} onInput={f.set('since')} /></Field>
        <button class="button" type="submit">{t('apply')}</button>
      </Filters>
      <ErrorNote error={pages.error} onRetry={pages.reload} />
      <Card>
        <DataTable label={t('nav.moderation-events')} rows={pages.data?.items} loading={pages.loading} pages={pages} rowKey={e => e.id} columns={[
          { key: 'createdAt', label: t('When'), render: e => when(e.createdAt) },
          { key: 'userId', label: t('user'), render: e => <code>{e.userId}</code> },
          { key: 'phase', label: t('Phase'), render: e => <Badge>{codeText(e.phase)}</Badge> },
          { key: 'action', label: t('Action'), render: e => <Badge tone={actionTone(e.action)}>{codeText(e.action)}</Badge> },
          { key: 'riskLevel', label: t('Risk'), render: e => <Badge tone={e.riskLevel === 'high' ? 'danger' : e.riskLevel === 'medium' ? 'warn' : 'neutral'}>{codeText(e.riskLevel)}</Badge> },
          { key: 'labels', label: t('Labels'), render: e => e.labels.join(', ') || '—' },
          { key: 'content', label: t('Content (masked)'), render: e => <span class="clip" title={e.content}>{e.content}</span> },
        ]} />
      </Card>
    </Page>
  );
}

export function FeedbackLog() {
  const f = useFilters({ rating: '', userId: '', model: '', commented: false, since: '' });
  const pages = usePages(async cursor => {
    const a = f.applied;
    const page = await api.get(`/v1/feedback${query({ ...a, commented: a.commented ? 'true' : '', since: isoOrEmpty(a.since), cursor, limit: 25 })}`);
    return { items: page.votes, next: page.nextCursor, up: page.up, down: page.down };
  }, [f.applied]);
  const up = pages.data?.up ?? 0, down = pages.data?.down ?? 0;
  // A thumbs-down answer can become an evaluation case, so the next model change is checked against it.
  const [caseOf, setCaseOf] = useState(null);
  const change = useChange();
  return (
    <Page title={t('nav.feedback')} description={t('Thumbs up and down on answers, with the comments people left.')}>
      <div class="stats">
        <Stat label={t('Thumbs up')} value={up} tone="ok" />
        <Stat label={t('Thumbs down')} value={down} tone={down ? 'danger' : undefined} />
        <Stat label={t('Satisfaction')} value={up + down ? `${Math.round(100 * up / (up + down))}%` : '—'} hint={t('of the votes that match the filters')} />
      </div>
      <Filters onSubmit={f.apply}>
        <Field label={t('Rating')}><select class="input" value={f.draft.rating} onChange={f.set('rating')}><option value="">{t('all')}</option><option value="up">{t('up')}</option><option value="down">{t('down')}</option></select></Field>
        <Field label={t('user')}><input class="input" value={f.draft.userId} onInput={f.set('userId')} /></Field>
        <Field label={t('model')}><input class="input" value={f.draft.model} onInput={f.set('model')} /></Field>
        <Field label={t('Since')}><input class="input" type="date" value={f.draft.since} onInput={f.set('since')} /></Field>
        <label class="check"><input type="checkbox" checked={f.draft.commented} onChange={f.set('commented')} /> {t('with a comment')}</label>
        <button class="button" type="submit">{t('apply')}</button>
      </Filters>
      <ErrorNote error={pages.error} onRetry={pages.reload} />
      <Card>
        <DataTable label={t('nav.feedback')} rows={pages.data?.items} loading={pages.loading} pages={pages} rowKey={v => `${v.conversationId}/${v.seq}`} columns={[
          { key: 'createdAt', label: t('When'), render: v => when(v.updatedAt) },
          { key: 'rating', label: t('Rating'), render: v => <Badge tone={v.rating === 'up' ? 'ok' : 'danger'}><Icon name={v.rating === 'up' ? 'thumbUp' : 'thumbDown'} size={13} /> {t(v.rating)}</Badge> },
          { key: 'userId', label: t('user'), render: v => <code>{v.userId}</code> },
          { key: 'model', label: t('model'), render: v => v.model || '—' },
          { key: 'comment', label: t('Comment'), render: v => v.comment || <span class="muted">—</span> },
          { key: 'message', label: t('Message'), render: v => <small class="muted"><code>{v.conversationId}#{v.seq}</code></small> },
          { key: 'actions', label: '', actions: true, render: v => v.rating === 'down'
            && <button class="button small" type="button" onClick={() => setCaseOf(v)} {...change()}>{t('Make a case')}</button> },
        ]} />
      </Card>
      <CaseFromVote vote={caseOf} onClose={() => setCaseOf(null)} />
    </Page>
  );
}

export function RoutingEvents() {
  const f = useFilters({ kind: '', since: '' });
  const pages = usePages(async before => {
    const a = f.applied;
    const items = await api.get(`/v1/routing/events${query({ kind: a.kind, since: isoOrEmpty(a.since), before, limit: 25 })}`);
    return { items, next: items.length === 25 ? items[items.length - 1].at : null };
  }, [f.applied]);
  const tone = k => k.startsWith('budget') ? 'warn' : k.includes('rolled-back') ? 'danger' : k.startsWith('canary') ? 'accent' : 'neutral';
  return (
    <Page title={t('nav.routing-events')} description={t('Policy edits, model changes, canary promotions and rollbacks, budget alerts.')}>
      <Filters onSubmit={f.apply}>
        <Field label={t('Kind')}>
          <select class="input" value={f.draft.kind} onChange={f.set('kind')}>
            <option value="">{t('all')}</option>
            {['policy', 'model', 'canary', 'budget'].map(k => <option key={k} value={k}>{codeText(k)}</option>)}
          </select>
        </Field>
        <Field label={t('Since')}><input class="input" type="date" value={f.draft.since} onInput={f.set('since')} /></Field>
        <button class="button" type="submit">{t('apply')}</button>
      </Filters>
      <ErrorNote error={pages.error} onRetry={pages.reload} />
      <Card>
        <DataTable label={t('nav.routing-events')} rows={pages.data?.items} loading={pages.loading} pages={pages} columns={[
          { key: 'at', label: t('When'), render: e => when(e.at) },
          { key: 'kind', label: t('Kind'), render: e => <Badge tone={tone(e.kind)}>{codeText(e.kind)}</Badge> },
          { key: 'message', label: t('What happened') },
        ]} />
      </Card>
    </Page>
  );
}
