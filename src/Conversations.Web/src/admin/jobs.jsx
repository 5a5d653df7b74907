// What the pages of background work share (evaluation runs, offline batches): a job's status and progress in its
// table row, asking again while one is in progress, and the catalog model a job is pinned to.
import { useEffect, useState } from 'preact/hooks';
import { t } from './strings.js';
import { Field } from './ui.jsx';

// How often a page with a job in progress asks again.
const pollMs = 2000;

/** The badge tone of a job's status. */
export const jobTone = s => s === 'completed' ? 'ok' : s === 'failed' ? 'danger' : s === 'running' ? 'accent' : 'neutral';

/**
 * Calls `refresh` 2 s after each change of `deps` while `active`: a page follows the jobs it lists until none is in
 * progress, and stops when it is left (the timer goes with the page).
 */
export function useRefreshWhile(active, refresh, deps) {
  useEffect(() => {
    if (!active) return undefined;
    const timer = setTimeout(refresh, pollMs);
    return () => clearTimeout(timer);
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps
}

/** "3 of 5", with a progress bar when `bar`; `label` names the bar for a screen reader. */
export function JobProgress({ done, total, bar, label }) {
  return (
    <span class="job-progress">
      {bar && <progress max={total} value={done} aria-label={label} />}
      <small class="muted"> {t('{d} of {n}', { d: done, n: total })}</small>
    </span>
  );
}

/** Whether jobs can run on the tenant's catalog: registered models are called only under a routing policy. */
export const catalogReady = (models, policy) => models.length > 0 && !!policy;

/**
 * Where a job's dialog sends an admin whose tenant cannot run it yet: without a catalog model (after `why`), or with
 * models but no routing policy (the server would refuse the job).
 */
export function NoCatalogModel({ why, models, policy }) {
  if (models.length > 0 && !policy)
    return <p class="muted">{t('Registered models are called only under a routing policy, and this tenant has none yet.')} <a href="#/models">{t('Set one in Models & routing.')}</a></p>;
  return <p class="muted">{why} <a href="#/models">{t('Register one in Models & routing.')}</a></p>;
}

/**
 * The model a job dialog sends: the one picked, or the catalog's first until one is (also when the dialog opened
 * before the catalog arrived). Returns [modelId, pick]; pick('') goes back to the first.
 */
export function useModelChoice(models) {
  const [picked, pick] = useState('');
  return [models.some(m => m.id === picked) ? picked : (models[0]?.id ?? ''), pick];
}

/** A required choice among the tenant's catalog `models` (GET /v1/routing's models). */
export function ModelSelect({ models, value, onChange }) {
  return (
    <Field label={t('model')}>
      <select class="input" required value={value} onChange={e => onChange(e.currentTarget.value)}>
        {models.map(m => <option key={m.id} value={m.id}>{m.id}</option>)}
      </select>
    </Field>
  );
}
