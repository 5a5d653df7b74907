// Models and routing: the tenant's model catalog (OpenAI-compatible endpoints and prices), the routing policy (small
// and large, domain rules, fallbacks, caches), and each model's health.
import { useState } from 'preact/hooks';
import { api, ifVersion } from '../../shared/api.js';
import { codeText, t } from '../strings.js';
import { Badge, Card, DataTable, Dialog, ErrorNote, Field, Page, fmt, useAction, useLoad, useRequiredText, useChange } from '../ui.jsx';
import { confirmAction } from '../../shared/confirm.jsx';

// A closed circuit whose last calls failed is not healthy: the breaker has only not tripped yet (it waits for
// several failures, from several tenants on a shared endpoint).
const circuitTone = h => h.circuit === 'open' ? 'danger' : h.circuit !== 'closed' || h.health?.consecutiveFailures > 0 ? 'warn' : 'ok';
// The breaker's state in the page's language (the state itself where it has no translation).
const circuitText = c => { const key = `circuit.${c}`; const text = t(key); return text === key ? c : text; };

// What the health report's lastFailureKind says, in words.
const failureText = kind => ({
  Connection: t('unreachable (connection failed)'),
  ServerError: t('server error'),
  FirstTokenTimeout: t('no first token in time'),
  Stall: t('stalled mid-answer'),
  RateLimited: t('rate limited'),
  Unauthorized: t('key refused'),
  QuotaExceeded: t('quota exceeded'),
  Rejected: t('request rejected'),
  Refused: t('address refused by policy'),
})[kind] ?? kind;

// The circuit, and beside it how this tenant's recent calls went: the error rate and why the last one failed.
function Circuit({ h }) {
  if (!h) return '—';
  const failed = h.health?.failures > 0;
  return (
    <span data-circuit={h.circuit}>
      <Badge tone={circuitTone(h)}>{circuitText(h.circuit)}</Badge>
      {failed && <><br /><small class="muted" data-error-rate={h.health.errorRate}>
        {t('{p} of {n} calls failed', { p: `${Math.round(h.health.errorRate * 100)}%`, n: fmt(h.health.calls) })}
        {h.health.lastFailureKind && <> · {t('last: {why}', { why: failureText(h.health.lastFailureKind) })}</>}
      </small></>}
    </span>
  );
}

export function Models() {
  const config = useLoad(() => api.get('/v1/routing'));
  const health = useLoad(() => api.get('/v1/routing/health'));
  const [editing, setEditing] = useState(null);
  const action = useAction();
  const change = useChange();
  const models = config.data?.models ?? [];
  const byId = new Map((health.data ?? []).map(h => [h.modelId, h]));

  async function remove(m) {
    if (!(await confirmAction(t('Remove model {m}?', { m: m.id }), { action: t('Remove'), cancel: t('cancel') }))) return;
    if (await action.run(() => api.delete(`/v1/routing/models/${encodeURIComponent(m.id)}`)) !== undefined) config.reload();
  }

  return (
    <Page busy={config.loading || health.loading} title={t('nav.models')} description={t('Which model answers which question, at what price, and what happens when one fails.')}
      actions={<button class="button primary" type="button" onClick={() => setEditing({})} {...change()}>{t('Register model')}</button>}>
      <ErrorNote error={config.error || action.error} onRetry={config.error ? config.reload : undefined} />
      <Card title={t('Model catalog')}>
        <DataTable label={t('Model catalog')} rows={models} loading={config.loading} rowKey={m => m.id}
          empty={t('No models registered: turns use the platform model.')} columns={[
            { key: 'id', label: t('Id'), render: m => <><strong class="nowrap">{m.id}</strong><br /><small class="muted">{m.modelName}</small></> },
            { key: 'tier', label: t('Tier'), render: m => <Badge tone={m.tier === 'large' ? 'accent' : 'neutral'}>{codeText(m.tier)}</Badge> },
            { key: 'endpoint', label: t('Endpoint'), render: m => <code class="clip endpoint" title={m.endpoint}>{m.endpoint}</code> },
            { key: 'price', label: t('USD / M tokens (in · cached · out)'), wrap: true, render: m => `${m.inputPerMillion} · ${m.cachedInputPerMillion} · ${m.outputPerMillion}` },
            { key: 'contextWindowTokens', label: t('Context'), align: 'right' },
            { key: 'health', label: t('Circuit'), render: m => <Circuit h={byId.get(m.id)} /> },
            { key: 'ttft', label: t('TTFT p95'), align: 'right', render: m => { const p = byId.get(m.id)?.health?.firstTokenP95Ms; return p ? `${fmt(Math.round(p))} ms` : '—'; } },
            { key: 'ops', label: '', align: 'right', actions: true, render: m => <span class="row-actions">
              <button class="button small" type="button" onClick={() => setEditing(m)} {...change()}>{t('edit')}</button>
              <button class="button small danger" type="button" onClick={() => remove(m)} {...change()}>{t('delete')}</button>
            </span> },
          ]} />
      </Card>
      {config.data && <Policy config={config.data} onSaved={config.reload} />}
      <ModelDialog model={editing} models={models} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); config.reload(); health.reload(); }} />
    </Page>
  );
}

const defaultPolicy = {
  smallModelId: '', largeModelId: '', complexityThreshold: 0.45, domainRules: [], fallbackModelIds: [], monthlyBudgetUsd: null,
  atBudgetLimit: 'downgrade', canary: null, hardCodedReplies: true, exactCache: true, semanticCache: true, semanticThreshold: 0.92, cacheTtlSeconds: 3600,
  routerThreshold: null, escalation: true,
};

// The policy as the form edits it: fallbacks and domain rules stay the text the admin types (parsed only on save), so a
// comma or a half-typed rule is not taken away mid-word.
function toDraft(policy) {
  const p = { ...defaultPolicy, ...(policy ?? {}) };
  return {
    ...p, fallbacksText: p.fallbackModelIds.join(', '), rulesText: p.domainRules.map(r => `${r.domain} = ${r.modelId}`).join('\n'),
    routerThresholdText: p.routerThreshold == null ? '' : String(p.routerThreshold),
  };
}

/** The domain rules in `text` (one "domain = model id" a line, blank lines skipped), or the first malformed line. */
function parseDomainRules(text) {
  const rules = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const at = line.indexOf('=');
    const domain = at < 0 ? '' : line.slice(0, at).trim();
    const modelId = at < 0 ? '' : line.slice(at + 1).trim();
    if (!domain || !modelId) return { bad: { n: i + 1, line } };
    rules.push({ domain, modelId });
  }
  return { rules };
}

function Policy({ config, onSaved }) {
  const [draft, setDraft] = useState(null);
  const action = useAction();
  const change = useChange();
  const p = draft ?? toDraft(config.policy);
  const set = (k, conv = v => v) => e => setDraft({ ...p, [k]: conv(e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value) });
  const ids = config.models.map(m => m.id);
  async function save(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const { fallbacksText, rulesText, routerThresholdText, ...policy } = p;
    const parsed = parseDomainRules(rulesText);
    if (parsed.bad) { action.fail(t('Domain rules, line {n}: "{line}" is not "domain = model id".', parsed.bad)); return; }
    // A blank learned-router threshold is the trained default (null), not 0.
    const body = {
      ...policy, domainRules: parsed.rules, fallbackModelIds: fallbacksText.split(',').map(s => s.trim()).filter(Boolean),
      routerThreshold: routerThresholdText.trim() === '' ? null : Number(routerThresholdText),
    };
    if (await action.run(() => api.put('/v1/routing/policy', body, ifVersion(config.version)))) { setDraft(null); onSaved(); }
  }
  const select = (k, label) => (
    <Field label={label}>
      <select class="input" value={p[k]} onChange={set(k)} required>
        <option value="">—</option>
        {ids.map(id => <option key={id}>{id}</option>)}
      </select>
    </Field>
  );
  return (
    <Card title={t('Routing policy')} actions={config.policy ? <Badge>{t('version {v}', { v: config.version })}</Badge> : <Badge tone="warn">{t('not set')}</Badge>}>
      {!ids.length ? <p class="muted">{t('Register models first; the policy routes between them.')}</p> : (
        <form class="form" onSubmit={save} {...action.formProps}>
          <div class="grid-3">
            {select('smallModelId', t('Small model (simple questions)'))}
            {select('largeModelId', t('Large model (complex questions)'))}
            <Field label={t('Router threshold (0–1)')} hint={routerHint(config.learnedRouterDefaultThreshold)}>
              <input class="input" type="number" step="0.001" min="0" max="1" value={p.routerThresholdText} onInput={set('routerThresholdText')}
                placeholder={config.learnedRouterDefaultThreshold == null ? '' : String(config.learnedRouterDefaultThreshold)} />
            </Field>
          </div>
          <div class="grid-3">
            <Field label={t('Keyword threshold (0–1)')} hint={t('Used only when the learned router cannot score a question.')}>
              <input class="input" type="number" step="0.01" min="0" max="1" required value={p.complexityThreshold} onInput={set('complexityThreshold', Number)} />
            </Field>
          </div>
          <label class="check"><input type="checkbox" checked={p.escalation} onChange={set('escalation')} /> {t('Escalate: the large model replaces a small answer that opens unsure, before it is shown')}</label>
          <Field label={t('Fallbacks, in order (comma-separated ids)')}>
            <input class="input" value={p.fallbacksText} onInput={set('fallbacksText')} />
          </Field>
          <Field label={t('Domain rules (one a line: domain = model id)')}>
            <textarea class="input" rows="3" value={p.rulesText} onInput={set('rulesText')} />
          </Field>
          <div class="grid-3">
            <label class="check"><input type="checkbox" checked={p.hardCodedReplies} onChange={set('hardCodedReplies')} /> {t('Canned replies for greetings and thanks')}</label>
            <label class="check"><input type="checkbox" checked={p.exactCache} onChange={set('exactCache')} /> {t('Exact answer cache')}</label>
            <label class="check"><input type="checkbox" checked={p.semanticCache} onChange={set('semanticCache')} /> {t('Semantic answer cache')}</label>
          </div>
          <div class="grid-3">
            <Field label={t('Semantic similarity threshold')}><input class="input" type="number" step="0.01" min="0.5" max="1" required value={p.semanticThreshold} onInput={set('semanticThreshold', Number)} /></Field>
            <Field label={t('Cache lifetime (seconds)')}><input class="input" type="number" min="1" max="604800" required value={p.cacheTtlSeconds} onInput={set('cacheTtlSeconds', Number)} /></Field>
          </div>
          <p class="muted small">{t('Budget and canary are set on their own pages and kept here as they are.')}</p>
          <ErrorNote error={action.error} />
          <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy || !draft)}>{t('Save policy')}</button></div>
        </form>
      )}
    </Card>
  );
}

// What the learned router's threshold does, and what a blank one means.
function routerHint(trained) {
  return trained == null ? t('Blank: the trained default. Lower sends more to the large model: dearer, fewer hard questions answered by the small one.')
    : t('Blank: the trained default, {v}. Lower sends more to the large model: dearer, fewer hard questions answered by the small one.', { v: trained });
}

// The platform registers prices up to a million USD per million tokens.
const MAX_PRICE = 1000000;

function ModelDialog({ model, models, onClose, onSaved }) {
  const [form, setForm] = useState(null);
  const [last, setLast] = useState(null);
  const [taken, setTaken] = useState(null);
  const action = useAction();
  const change = useChange();
  const id = useRequiredText(t('Id'));
  if (model !== last) {
    setLast(model);
    id.clear();
    setTaken(null);
    action.clear();
    setForm(model && {
      id: model.id ?? '', endpoint: model.endpoint ?? '', apiKey: '', modelName: model.modelName ?? '', tier: model.tier ?? 'small',
      domains: (model.domains ?? []).join(', '), inputPerMillion: model.inputPerMillion ?? '', cachedInputPerMillion: model.cachedInputPerMillion ?? '',
      outputPerMillion: model.outputPerMillion ?? '', contextWindowTokens: model.contextWindowTokens ?? 32000, batchDiscount: model.batchDiscount ?? 0,
      vision: !!model.vision, removeKey: false,
    });
  }
  const set = k => e => setForm(f => ({ ...f, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value }));
  const num = v => v === '' ? null : Number(v);
  async function submit(e) {
    e.preventDefault();
    const modelId = id.take(form.id);
    // Saving a model replaces it whole (ids match whatever their case), so a new one may not reuse an id: the
    // registered model is changed with its Edit button instead.
    const existing = !model?.id && modelId && models.find(m => m.id.toLowerCase() === modelId.toLowerCase());
    setTaken(existing ? t('A model with the id {m} is registered already: change it with its Edit button.', { m: existing.id }) : null);
    if (!modelId || existing || !action.check(e.currentTarget)) return;
    // A left-out key keeps the stored one (the platform never shows it back); "" removes it.
    const apiKey = form.apiKey || (form.removeKey ? '' : undefined);
    const body = {
      endpoint: form.endpoint, apiKey, modelName: form.modelName, tier: form.tier, vision: form.vision,
      domains: form.domains.split(',').map(s => s.trim()).filter(Boolean), inputPerMillion: num(form.inputPerMillion),
      cachedInputPerMillion: num(form.cachedInputPerMillion), outputPerMillion: num(form.outputPerMillion),
      contextWindowTokens: num(form.contextWindowTokens), batchDiscount: num(form.batchDiscount),
    };
    if (await action.run(() => api.put(`/v1/routing/models/${encodeURIComponent(modelId)}`, body))) onSaved();
  }
  return (
    <Dialog title={model?.id ? t('Model {m}', { m: model.id }) : t('Register model')} open={!!model} onClose={onClose}>
      {form && (
        <form class="form" onSubmit={submit} {...action.formProps}>
          <div class="grid-2">
            <Field label={t('Id')} error={id.error || taken}><input class="input" required readOnly={!!model?.id} value={form.id} onInput={set('id')} aria-invalid={id.invalid} /></Field>
            <Field label={t('Model name at the endpoint')}><input class="input" required value={form.modelName} onInput={set('modelName')} /></Field>
          </div>
          <Field label={t('Endpoint (OpenAI-compatible, with /v1)')}><input class="input" required type="url" value={form.endpoint} onInput={set('endpoint')} /></Field>
          <Field label={t('API key')} hint={model?.hasApiKey ? t('A key is set: leave this empty to keep it, or type a new one. A new endpoint needs its key again.') : undefined}>
            <input class="input" type="password" autocomplete="off" value={form.apiKey} onInput={set('apiKey')} disabled={form.removeKey} />
          </Field>
          {model?.hasApiKey && (
            <label class="check"><input type="checkbox" checked={form.removeKey} onChange={set('removeKey')} /> {t('Remove the stored key')}</label>
          )}
          <label class="check"><input type="checkbox" checked={form.vision} onChange={set('vision')} /> {t('Reads images')}</label>
          <div class="grid-3">
            <Field label={t('Tier')}><select class="input" value={form.tier} onChange={set('tier')}><option value="small">{codeText('small')}</option><option value="large">{codeText('large')}</option></select></Field>
            <Field label={t('Domains')}><input class="input" value={form.domains} onInput={set('domains')} /></Field>
            <Field label={t('Context window (tokens)')}><input class="input" type="number" min="1" max="10000000" required value={form.contextWindowTokens} onInput={set('contextWindowTokens')} /></Field>
          </div>
          <div class="grid-3">
            <Field label={t('Input USD / M')}><input class="input" type="number" step="any" min="0" max={MAX_PRICE} required value={form.inputPerMillion} onInput={set('inputPerMillion')} /></Field>
            <Field label={t('Cached input USD / M')}><input class="input" type="number" step="any" min="0" max={form.inputPerMillion === '' ? MAX_PRICE : Math.min(Number(form.inputPerMillion), MAX_PRICE)} value={form.cachedInputPerMillion} onInput={set('cachedInputPerMillion')} /></Field>
            <Field label={t('Output USD / M')}><input class="input" type="number" step="any" min="0" max={MAX_PRICE} required value={form.outputPerMillion} onInput={set('outputPerMillion')} /></Field>
          </div>
          <Field label={t('Batch discount')} hint={t("The share taken off every price for offline batches, as the provider's batch rate gives it: 0.5 is half price, 0 none.")}>
            <input class="input" type="number" step="any" min="0" max="0.99" required value={form.batchDiscount} onInput={set('batchDiscount')} />
          </Field>
          <ErrorNote error={action.error} />
          <div class="form-actions"><button class="button primary" type="submit" {...change(action.busy)}>{t('save')}</button></div>
        </form>
      )}
    </Dialog>
  );
}
