// The console's building blocks: page frame, cards, figures, tables with cursor paging, badges, dialogs, and the
// hooks that load data and keep its error. Every page is made of these, so they look and behave alike.
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../shared/i18n.js';
import { Icon } from '../shared/icons.jsx';
import { t } from './strings.js';

/** True under a read-only key (GET /v1/me says scope "read-only"): the platform refuses every change it would send. */
export const ReadOnly = createContext(false);

/**
 * Props for a button that changes something: `{ disabled, title }`, disabled with the reason under a read-only key, so
 * the admin learns it before filling a form rather than after confirming it. `busy` disables it as well.
 */
export function useChange() {
  const readOnly = useContext(ReadOnly);
  return (busy = false) => ({ disabled: readOnly || busy, title: readOnly ? t('readOnly.why') : undefined });
}

/** Loads `fn()` now and whenever `deps` change; `reload()` loads again. */
export function useLoad(fn, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const load = useCallback(async () => {
    const mine = ++seq.current;
    setState(s => ({ ...s, loading: true, error: null }));
    try {
      const data = await fn();
      if (mine === seq.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === seq.current) setState(s => ({ ...s, error, loading: false }));
    }
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { load(); }, [load]);
  return { ...state, reload: load };
}

/**
 * Cursor paging over `fetchPage(cursor) → { items, next }`: keeps the cursors of the pages seen so that "previous"
 * goes back without the server keeping state. Starts over when `deps` change (a new filter).
 */
export function usePages(fetchPage, deps = []) {
  const [cursors, setCursors] = useState([null]);
  const index = cursors.length - 1;
  const page = useLoad(() => fetchPage(cursors[index]), [...deps, cursors[index], index]);
  useEffect(() => setCursors([null]), deps); // eslint-disable-line react-hooks/exhaustive-deps
  return {
    ...page,
    number: index + 1,
    hasPrev: index > 0,
    hasNext: !!page.data?.next,
    prev: () => setCursors(c => c.length > 1 ? c.slice(0, -1) : c),
    next: () => page.data?.next && setCursors(c => [...c, page.data.next]),
  };
}

/**
 * Runs an action with a busy flag and a friendly error; resolves to the action's result (undefined on failure).
 * `check(form)` checks the form's fields in the browser first (false, with the refusal shown, when one is out of
 * range); `formProps` go on the <form>, so that editing any of its fields takes a shown error away.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = useCallback(async fn => {
    setBusy(true);
    setError(null);
    try { return await fn(); } catch (e) { setError(e); return undefined; } finally { setBusy(false); }
  }, []);
  const check = useCallback(form => {
    const problem = checkForm(form);
    setError(problem ? new Error(problem) : null);
    return !problem;
  }, []);
  const edited = useCallback(e => { unmark(e.target); setError(null); }, []);
  return { busy, error, run, check, clear: () => setError(null), fail: message => setError(new Error(message)), formProps: { noValidate: true, onInput: edited, onChange: edited } };
}

// The name a field is known by: its <Field> label, else its aria-label or name.
function labelOf(el) {
  return el.closest('label')?.querySelector(':scope > span')?.textContent?.trim() || el.getAttribute('aria-label') || el.name || '';
}

const number = n => Number(n).toLocaleString(undefined, { maximumFractionDigits: 6 });

/**
 * Why the browser refuses a field's value, in the page's language and naming the field, or '' when it is fine. A number
 * field says its range (min and max from the field) and whether it takes whole numbers only (a field without a
 * fractional step does).
 */
export function fieldProblem(el) {
  if (!el.willValidate || typeof el.setCustomValidity !== 'function') return '';
  el.setCustomValidity('');
  const v = el.validity;
  const step = el.step === '' ? 1 : el.step === 'any' ? null : Number(el.step);
  const whole = step !== null && Number.isInteger(step);
  // A whole-number field takes digits only: "1e2" is 100 to the browser, but the server reads the text and refuses it.
  const notDigits = el.type === 'number' && whole && el.value !== '' && !/^-?\d+$/.test(el.value);
  if (v.valid && !notDigits) return '';
  const f = labelOf(el);
  if (el.type === 'number') {
    if (v.valueMissing) return t('form.required', { f });
    if (v.stepMismatch && !whole) return t('form.step', { f, step: number(step) });
    const min = el.min !== '' ? number(el.min) : null;
    const max = el.max !== '' ? number(el.max) : null;
    const kind = whole ? 'form.whole' : 'form.number';
    if (min !== null && max !== null) return t(`${kind}.range`, { f, min, max });
    if (min !== null) return t(`${kind}.min`, { f, min });
    if (max !== null) return t(`${kind}.max`, { f, max });
    return t(kind, { f });
  }
  if (v.valueMissing) return t('form.required', { f });
  if (v.patternMismatch) return el.title ? t('form.patternRule', { f, rule: el.title }) : t('form.pattern', { f });
  if (v.typeMismatch && el.type === 'url') return t('form.url', { f });
  return t('form.invalid', { f });
}

/**
 * Checks every field of `form` before anything is sent: each refused field gets its message (the browser shows the
 * first one next to it) and aria-invalid; returns the first message, or '' when every field is fine.
 */
export function checkForm(form) {
  let first = '';
  for (const el of form.elements) {
    const problem = fieldProblem(el);
    if (!problem) { unmark(el); continue; }
    el.setCustomValidity(problem);
    el.setAttribute('aria-invalid', 'true');
    el.dataset.refused = 'true';
    first ||= problem;
  }
  if (first) form.reportValidity();
  return first;
}

function unmark(el) {
  if (el?.dataset?.refused !== 'true') return;
  el.setCustomValidity('');
  el.removeAttribute('aria-invalid');
  delete el.dataset.refused;
}

/** A page: title, one-line description, actions on the right, then its content; `busy` while its data loads. */
export function Page({ title, description, actions, children, busy = false }) {
  return (
    <section class="page" aria-labelledby="page-title" aria-busy={busy ? 'true' : 'false'}>
      <header class="page-head">
        <div>
          <h1 id="page-title">{title}</h1>
          {description && <p class="muted">{description}</p>}
        </div>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A card with an optional title and actions. */
export function Card({ title, actions, children, class: cls = '', ...rest }) {
  return (
    <div class={`card ${cls}`} {...rest}>
      {(title || actions) && (
        <div class="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div class="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </div>
  );
}

/** One headline figure. */
export function Stat({ label, value, hint, tone }) {
  return (
    <div class={`stat ${tone ? `tone-${tone}` : ''}`}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {hint && <div class="stat-hint">{hint}</div>}
    </div>
  );
}

/** A small coloured label. */
export function Badge({ tone = 'neutral', children }) {
  return <span class={`badge tone-${tone}`}>{children}</span>;
}

/** An error from the API, in words, with a retry when one is given. */
export function ErrorNote({ error, onRetry }) {
  if (!error) return null;
  return (
    <div class="note error" role="alert">
      <Icon name="alert" />
      <span>{describeError(t, error)}</span>
      {onRetry && <button class="button small" type="button" onClick={onRetry}>{t('retry')}</button>}
    </div>
  );
}

// A row's buttons (a column with `actions: true`) stay pinned to the table's right edge, so a wide row scrolls its
// text under them and never hides them past the card's edge.
const cellClass = c => [c.align === 'right' ? 'num' : '', c.actions ? 'actions' : '', c.wrap ? 'wrap' : ''].filter(Boolean).join(' ');

/**
 * A table over `rows` with `columns` [{ key, label, render?, align?, actions?, wrap? (a long header on two lines) }]; paging controls when `pages` is given. On a
 * phone each row shows as a block of labelled lines, so its action buttons stay on the screen (`stack={false}` keeps
 * the columns, scrolling sideways).
 */
export function DataTable({ columns, rows, empty, loading, pages, rowKey, label, stack = true }) {
  return (
    <div class="table-wrap">
      <table class={`table${stack ? ' stack' : ''}`} aria-label={label} aria-busy={loading ? 'true' : 'false'}>
        <thead>
          <tr>{columns.map(c => <th key={c.key} scope="col" class={cellClass(c)}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {rows?.length ? rows.map((r, i) => (
            <tr key={rowKey ? rowKey(r) : i}>
              {columns.map(c => <td key={c.key} class={cellClass(c)} data-label={c.label}>{c.render ? c.render(r) : fmt(r[c.key])}</td>)}
            </tr>
          )) : (
            <tr><td class="empty" colSpan={columns.length}>{loading ? t('loading') : (empty ?? t('empty'))}</td></tr>
          )}
        </tbody>
      </table>
      {pages && (pages.hasPrev || pages.hasNext) && (
        <div class="pager">
          <span class="muted">{t('page', { n: pages.number })}</span>
          <button class="button small" type="button" onClick={pages.prev} disabled={!pages.hasPrev || loading}>{t('prev')}</button>
          <button class="button small" type="button" onClick={pages.next} disabled={!pages.hasNext || loading}>{t('next')}</button>
        </div>
      )}
    </div>
  );
}

/**
 * Calls `reset` as `open` turns true, so a dialog opened again starts clean: no fields or server error of an earlier,
 * abandoned attempt.
 */
export function useResetOnOpen(open, reset) {
  const [was, setWas] = useState(open);
  if (open !== was) {
    setWas(open);
    if (open) reset();
  }
}

/** A modal dialog on the native <dialog>, so focus and Escape behave. */
let dialogs = 0;

export function Dialog({ title, open, onClose, children, footer }) {
  const ref = useRef(null);
  // Each dialog its own title id: a page may hold several (New user, Keys of …), each named by its own heading.
  const [titleId] = useState(() => `dialog-title-${++dialogs}`);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" onClose={onClose} aria-labelledby={titleId}>
      <div class="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button class="icon-button" type="button" aria-label={t('close')} onClick={onClose}><Icon name="close" /></button>
      </div>
      <div class="dialog-body">{open && children}</div>
      {footer && <div class="dialog-foot">{footer}</div>}
    </dialog>
  );
}

/**
 * A typed name that goes into a URL path: `take(value)` trims it and returns it, or, when only spaces are left, says so
 * next to the field (`error`, for <Field>; `invalid`, for the input's aria-invalid) and returns null, so no request is
 * sent to a path with an empty segment.
 */
export function useRequiredText(label) {
  const [error, setError] = useState(null);
  const take = value => {
    const text = (value ?? '').trim();
    setError(text ? null : t('form.blank', { f: label }));
    return text || null;
  };
  return { error, take, invalid: error ? 'true' : undefined, clear: () => setError(null) };
}

/** A labelled form field around any input; the hint and the error sit outside the label so they are not part of the input's name. */
export function Field({ label, hint, error, children, wide }) {
  return (
    <div class={`field-block ${wide ? 'wide' : ''}`}>
      <label class="field">
        <span>{label}</span>
        {children}
      </label>
      {hint && <small class="muted">{hint}</small>}
      {error && <small class="field-error" role="alert">{error}</small>}
    </div>
  );
}

/** A settings form's save button, with "saved" beside it after a save (until the next edit) and a refused save's error above it. */
export function SaveActions({ saved, disabled, error }) {
  const change = useChange();
  // A refused save is told next to the button that was pressed: at the top of a long form it would be off the screen.
  return (
    <>
      <ErrorNote error={error} />
      <div class="form-actions">
        {saved && <span class="muted" role="status">{t('saved')}</span>}
        <button class="button primary" type="submit" {...change(disabled)}>{t('save')}</button>
      </div>
    </>
  );
}

/** A row of filters above a table. */
export function Filters({ children, onSubmit }) {
  return <form class="filters" onSubmit={e => { e.preventDefault(); onSubmit?.(); }}>{children}</form>;
}

/** Asks before something that cannot be undone. */

/** Numbers and dates as people read them. */
export function fmt(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString() : v.toLocaleString(undefined, { maximumFractionDigits: 4 });
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  return String(v);
}

/** A time, short. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** US dollars with cents (or more digits for small sums). */
export function usd(v) {
  const n = Number(v || 0);
  return '$' + n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: n !== 0 && Math.abs(n) < 1 ? 4 : 2 });
}

/** The non-empty lines of a text field, each trimmed. */
export const lines = text => text.split('\n').map(l => l.trim()).filter(Boolean);

/** The query string of the set fields of `o`. */
export function query(o) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
