// The knowledge base: upload text and Markdown files under a label with a progress bar, list and delete documents.
import { useRef, useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { t } from '../strings.js';
import { uploadDocuments } from '../upload.js';
import { Badge, Card, DataTable, ErrorNote, Field, Page, fmt, query, useAction, useLoad, usePages, useRequiredText, when, useChange } from '../ui.jsx';
import { confirmAction } from '../../shared/confirm.jsx';

export function Documents() {
  const [filter, setFilter] = useState('');
  const pages = usePages(async cursor => {
    const page = await api.get(`/v1/knowledge/documents${query({ cursor, limit: 25 })}`);
    return { items: page.documents, next: page.nextCursor };
  });
  const action = useAction();
  const change = useChange();
  const usage = useLoad(() => api.get('/v1/knowledge/embeddings'));
  const rows = (pages.data?.items ?? []).filter(d => !filter || `${d.documentId} ${d.title} ${d.label}`.toLowerCase().includes(filter.toLowerCase()));

  async function remove(doc) {
    if (!(await confirmAction(t('Delete {d} and its chunks? Answers stop citing it at once.', { d: doc.title || doc.documentId }), { action: t('delete'), cancel: t('cancel') }))) return;
    if (await action.run(() => api.delete(`/v1/knowledge/documents/${encodeURIComponent(doc.documentId)}`)) !== undefined) { pages.reload(); usage.reload(); }
  }

  return (
    <Page title={t('nav.documents')} description={t('What answers are grounded in. A document is readable by the roles granted its label.')}>
      <Upload onDone={() => { pages.reload(); usage.reload(); }} />
      <Card title={t('Documents')} actions={
        <input class="input compact" type="search" placeholder={t('Filter this page')} aria-label={t('Filter documents')} value={filter} onInput={e => setFilter(e.currentTarget.value)} />
      }>
        <ErrorNote error={pages.error || action.error} onRetry={pages.error ? pages.reload : undefined} />
        {/* The per-tenant limit: an upload past it is refused whole, so show the room left before one is tried. */}
        {usage.data?.chunkLimit != null && <p class="muted" data-chunk-usage>{t('{n} of {max} chunks used', { n: fmt(usage.data.chunks), max: fmt(usage.data.chunkLimit) })}</p>}
        <DataTable label={t('Documents')} rows={rows} loading={pages.loading} pages={pages} rowKey={d => d.documentId} columns={[
          { key: 'title', label: t('Title'), render: d => <span data-document={d.documentId}><strong>{d.title}</strong><br /><small class="muted"><code>{d.documentId}</code></small></span> },
          { key: 'label', label: t('Label'), render: d => <Badge tone="accent">{d.label}</Badge> },
          { key: 'chunkCount', label: t('Chunks'), align: 'right' },
          { key: 'charCount', label: t('Characters'), align: 'right' },
          // After an embedding model change the silos re-embed in the background; until then the old vectors are left out of searches.
          { key: 'embeddingModel', label: t('Embedding'), render: d => <span data-stale={d.staleChunks ?? 0}>{d.embeddingModel}
            {d.staleChunks > 0 && <><br /><Badge tone="warn">{t('{n} chunks to re-embed', { n: fmt(d.staleChunks) })}</Badge></>}</span> },
          { key: 'updatedAt', label: t('Updated'), render: d => when(d.updatedAt) },
          { key: 'delete', label: '', align: 'right', actions: true, render: d => <button class="button small danger" type="button" onClick={() => remove(d)} {...change()}>{t('delete')}</button> },
        ]} />
      </Card>
    </Page>
  );
}

function Upload({ onDone }) {
  const change = useChange();
  const [label, setLabel] = useState('');
  const [files, setFiles] = useState([]);
  const [progress, setProgress] = useState(null);
  const [updates, setUpdates] = useState(0);
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const [unread, setUnread] = useState(null); // a label just uploaded that no role is granted
  const [target, setTarget] = useState(''); // the label the last upload stored under
  const [checking, setChecking] = useState(false); // looking up which files replace stored documents
  const required = useRequiredText(t('Label'));
  const picker = useRef(null);
  const busy = checking || (progress && progress.phase !== 'done');

  async function submit(e) {
    e.preventDefault();
    const uploaded = required.take(label);
    if (!files.length || !uploaded || busy) return;
    setError(null);
    setResults(null);
    setUnread(null);
    // The platform replaces or relabels a stored document at once: ask first, naming each one and its label.
    setChecking(true);
    let stored;
    try {
      stored = await storedAs(files);
    } catch (err) {
      setError(err);
      return;
    } finally {
      setChecking(false);
    }
    if (!(await confirmReplacing(stored, uploaded))) return;
    setUpdates(0);
    setProgress({ phase: 'upload', fraction: 0, sent: 0, total: files.reduce((s, f) => s + f.size, 0) });
    try {
      setTarget(uploaded);
      const done = await uploadDocuments(files, uploaded, p => { setUpdates(n => n + 1); setProgress(old => ({ ...old, ...p })); });
      setResults(done);
      // The files are sent: the picker starts empty, so a second click does not send them again.
      setFiles([]);
      if (picker.current) picker.current.value = '';
      onDone();
      // A label no role is granted is readable by nobody yet: say so while the admin is still here (and only when
      // something was stored under it).
      if (!done.some(r => r.status !== 'failed')) return;
      try {
        const acl = await api.get('/v1/acl');
        if (!acl.roles.some(r => r.labels.includes(uploaded))) setUnread(uploaded);
      } catch { /* the warning is a courtesy; the upload itself succeeded */ }
    } catch (err) {
      setError(err);
      setProgress(null);
      // Cut off part-way: the documents reported before the break are stored, and the list shows them as such.
      if (err.body?.code === 'upload_interrupted' && err.body.documents?.length) {
        setResults(err.body.documents);
        onDone();
      }
    }
  }

  const percent = progress ? Math.round(progress.fraction * 100) : 0;
  // How many of the sent documents were stored: a batch of empty files finishes, but stores nothing.
  const stored = results?.filter(r => r.status !== 'failed').length ?? 0;
  const sent = results?.length || progress?.documentsTotal || 0;
  const storedNone = progress?.phase === 'done' && results && stored === 0;
  return (
    <Card title={t('Upload documents')}>
      <form class="upload" onSubmit={submit}>
        <Field label={t('Files (.md, .txt)')}>
          <input ref={picker} class="input" type="file" name="files" multiple accept=".md,.markdown,.txt,.text,text/plain,text/markdown"
            onChange={e => { setFiles([...e.currentTarget.files]); setError(null); setUnread(null); }} />
        </Field>
        <Field label={t('Label')} error={required.error}>
          <input class="input" name="label" list="known-labels" required placeholder="handbook/all" value={label} aria-invalid={required.invalid}
            onInput={e => { setLabel(e.currentTarget.value); required.clear(); }} />
        </Field>
        <button class="button primary" type="submit" {...change(busy || !files.length)}>{busy ? t('Uploading…') : t('Upload')}</button>
        {/* Under the row, not under one field: a hint under one field put the two inputs at different heights. */}
        <small class="muted upload-hint">{t('Who may read them: the roles granted this label.')}</small>
      </form>
      {progress && (
        <div class={`progress-block${storedNone ? ' failed' : ''}`} data-testid="upload-progress" data-phase={progress.phase} data-updates={updates} data-percent={percent}
          role={storedNone ? 'alert' : undefined}>
          <div class="progress" role="progressbar" aria-label={t('Upload progress')} aria-valuemin="0" aria-valuemax="100" aria-valuenow={percent}>
            <div class="progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <div class="progress-text muted">
            {progress.phase === 'upload' && t('Sending {a} of {b} bytes', { a: fmt(progress.sent), b: fmt(progress.total) })}
            {progress.phase === 'index' && t('Indexing: {d} of {n} documents, {c} of {k} chunks embedded',
              { d: progress.documentsDone, n: progress.documentsTotal, c: progress.chunksEmbedded, k: progress.chunksTotal })}
            {progress.phase === 'done' && results && t('Done: {s} of {n} documents stored, chunks embedded {c}', { s: stored, n: sent, c: progress.chunksEmbedded ?? 0 })}
            <span class="progress-percent">{percent}%</span>
          </div>
        </div>
      )}
      <ErrorNote error={error} />
      {unread && (
        <div class="note warn" role="alert" data-testid="label-unread">
          <span>{t('No role is granted the label {l}, so nobody can read these documents yet. Grant it to a role on Roles & access.', { l: unread })}</span>
          <a class="button small" href="#/access">{t('nav.access')}</a>
        </div>
      )}
      <Replaced results={results} label={target} />
      {results?.some(r => r.status === 'failed') && (
        <ul class="results">{results.filter(r => r.status === 'failed').map(r => <li key={r.documentId}><Badge tone="danger">{r.documentId}</Badge> {r.error}</li>)}</ul>
      )}
    </Card>
  );
}

// A file name is a document's identity across labels: uploading one that exists replaces or relabels the stored
// document. Name each one, and warn when it left another label, since that label's readers no longer see it.
function Replaced({ results, label }) {
  const replaced = results?.filter(r => r.status === 'updated' || r.status === 'relabeled') ?? [];
  if (!replaced.length) return null;
  const moved = replaced.some(r => r.previousLabel);
  return (
    <div class={`note${moved ? ' warn' : ''}`} role={moved ? 'alert' : 'status'} data-testid="upload-replaced">
      <div>
        <span>{moved
          ? t('These documents already existed and were moved to {l}: readers of their old label no longer have access to them.', { l: label })
          : t('These documents already existed and were replaced:')}</span>
        <ul class="results">{replaced.map(r => (
          <li key={r.documentId} data-replaced={r.documentId} data-status={r.status}>
            <code>{r.documentId}</code> {r.status === 'updated' ? t('replaced') : t('relabeled')}
            {r.previousLabel && <> <Badge tone="warn">{r.previousLabel}</Badge> → <Badge tone="accent">{label}</Badge></>}
          </li>))}
        </ul>
      </div>
    </div>
  );
}

/** The stored documents the files would replace (by the id an upload gives each name), as the platform names and has them. */
async function storedAs(files) {
  const found = await api.post('/v1/knowledge/documents/lookup', { fileNames: files.map(f => f.name) });
  const seen = new Set();
  return found.files.map(f => f.stored).filter(d => d && !seen.has(d.documentId) && seen.add(d.documentId));
}

/** Asks before an upload replaces stored documents; true when there are none, or the admin agrees. */
async function confirmReplacing(docs, label) {
  if (!docs.length) return true;
  const moved = docs.filter(d => d.label !== label);
  const same = docs.filter(d => d.label === label);
  const parts = [];
  if (moved.length === 1) {
    parts.push(t('{d} is stored already under {o}. Uploading moves it to {l}, and readers of {o} lose access to it at once.',
      { d: moved[0].documentId, o: moved[0].label, l: label }));
  } else if (moved.length > 1) {
    parts.push(t('Stored already under other labels: {docs}. Uploading moves them to {l}, and readers of those labels lose access to them at once.',
      { docs: moved.map(d => `${d.documentId} (${d.label})`).join(', '), l: label }));
  }
  if (same.length === 1) parts.push(t('{d} is stored already under {l}. Uploading replaces it.', { d: same[0].documentId, l: label }));
  else if (same.length > 1) parts.push(t('Stored already under {l}: {docs}. Uploading replaces them.', { docs: same.map(d => d.documentId).join(', '), l: label }));
  return confirmAction(parts.join(' '), { action: t(moved.length ? 'Move and replace' : 'Replace'), cancel: t('cancel') });
}
