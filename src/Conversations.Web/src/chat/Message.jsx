// One message: the user's bubble, or the assistant's answer with its progress, sources, status and actions.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { copyText } from '../shared/clipboard.js';
import { describeError } from '../shared/i18n.js';
import { Icon } from '../shared/icons.jsx';
import { copyCodeClick, renderMarkdown } from '../shared/markdown.js';
import { maxMessageChars } from './turns.js';

export function Message(props) {
  return props.m.role === 'user' ? <UserMessage {...props} /> : <AssistantMessage {...props} />;
}

// maxChars: the platform's limit from /v1/me, checked as the composer does before an edit is sent.
function UserMessage({ t, m, isLastQuestion, busy, onEdit, maxChars = maxMessageChars }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(m.content);
  const [tooLong, setTooLong] = useState(null); // the refused length, until the text is changed
  const box = useRef(null);
  // The editor opens with the caret at the end of the question (autofocus only works on page load).
  useEffect(() => {
    const el = box.current;
    if (editing && el) { el.focus(); el.setSelectionRange(el.value.length, el.value.length); }
  }, [editing]);
  if (editing) {
    // The platform refuses a longer message (413) after the old answer has left the page: say so here instead.
    const send = () => {
      const v = text.trim();
      if (!v) return;
      if (v.length > maxChars) { setTooLong(v.length); return; }
      setEditing(false);
      onEdit(v);
    };
    return (
      <div class="turn user">
        <form class="edit-box" onSubmit={e => { e.preventDefault(); send(); }}>
          <textarea ref={box} class="input" value={text} rows={3} aria-label={t('action.edit')}
            onInput={e => { setText(e.currentTarget.value); setTooLong(null); }}
            onKeyDown={e => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
              if (e.key === 'Escape') setEditing(false);
            }} />
          {tooLong && <p class="edit-too-long" role="alert">
            {t('composer.tooLong', { count: tooLong.toLocaleString(), max: maxChars.toLocaleString() })}</p>}
          <div class="edit-actions">
            <button type="button" class="button" onClick={() => setEditing(false)}>{t('cancel')}</button>
            <button type="submit" class="button primary">{t('action.sendEdit')}</button>
          </div>
        </form>
      </div>
    );
  }
  return (
    <article class="turn user" aria-label={t('you')}>
      <div class="bubble">
        {m.content}
        {m.imageIds?.length > 0 && <span class="bubble-images muted"><Icon name="image" size={14} /> {t(m.imageIds.length === 1 ? 'message.image' : 'message.images', { n: m.imageIds.length })}</span>}
      </div>
      {isLastQuestion && !busy && (
        <div class="actions user-actions">
          <button class="icon-button small" onClick={() => { setText(m.content); setTooLong(null); setEditing(true); }} aria-label={t('action.edit')} title={t('action.edit')}>
            <Icon name="edit" size={15} />
          </button>
        </div>
      )}
    </article>
  );
}

function AssistantMessage({ t, m, conversationId, reconnecting, isLastAnswer, busy, onRegenerate, onRetry, onNewChat, onCite }) {
  const { html, citations } = useMemo(() => renderMarkdown(m.content, m.citations), [m.content, m.citations]);
  // The sources the answer cites; one that cites none (quoted passages, a model without markers) lists what was
  // retrieved once it has ended. The same document cited twice names its passages apart.
  const sources = citations.length > 0 || m.streaming ? citations : m.citations;
  const titles = sources.map(c => c.documentTitle || c.documentId);
  const sourceTitle = (c, i) => (titles.indexOf(titles[i]) !== titles.lastIndexOf(titles[i])
    ? t('source.passage', { title: titles[i], n: c.chunkIndex + 1 }) : titles[i]);
  const body = useRef(null);

  function onClick(e) {
    const cite = e.target.closest('a.cite');
    if (cite) {
      e.preventDefault();
      onCite(citations[Number(cite.dataset.cite)]);
      return;
    }
    copyCodeClick(e);
  }

  const showProgress = m.streaming;
  return (
    // Busy while it streams: its text is re-rendered whole on each piece, which a screen reader in the log's live
    // region would otherwise announce again every time; it reads the answer once it is done.
    <article class={`turn assistant${m.streaming ? ' streaming' : ''}`} aria-label={t('assistant')} data-status={m.status} aria-busy={m.streaming ? 'true' : undefined}>
      <div class="avatar assistant-avatar" aria-hidden="true"><img src="/icons/icon.svg" alt="" width="28" height="28" /></div>
      <div class="answer">
        {showProgress && <Progress t={t} stages={m.stages || []} sources={m.citations.length} reconnecting={reconnecting} writing={!!m.content} />}
        {m.content && <div class="markdown" ref={body} onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />}
        {sources.length > 0 && (
          <div class="sources">
            <span class="sources-label">{t('sources')}</span>
            <ol>
              {sources.map((c, i) => (
                <li key={`${c.documentId}#${c.chunkIndex}`}>
                  <button class="source" onClick={() => onCite(c)} aria-label={t('source.open', { n: i + 1, title: sourceTitle(c, i) })}>
                    <span class="source-n">{i + 1}</span><span class="source-title">{sourceTitle(c, i)}</span>
                  </button>
                </li>
              ))}
            </ol>
          </div>
        )}
        {m.status && !['complete', 'streaming', 'failed', 'interrupted'].includes(m.status) && <span class={`badge ${m.status}`}>{t(`status.${m.status}`)}</span>}
        {/* An answer cut by a restart of the service is stored as interrupted, without its text: say so, and offer to
            ask again in its place (the last answer only: an earlier one cannot be replaced). */}
        {m.status === 'interrupted' && !m.streaming && !m.error && (
          <div class="error-card" role="note" data-testid="interrupted">
            <Icon name="alert" />
            <span class="error-text">{t('status.interruptedText')}</span>
            {isLastAnswer && !busy && <button class="button" onClick={onRegenerate}><Icon name="refresh" size={16} />{t('retry')}</button>}
          </div>
        )}
        {m.error && (
          <div class="error-card" role="alert">
            <Icon name="alert" />
            <span class="error-text">{m.error.message}
              {m.error.returned && <small class="error-returned" data-testid="question-returned">{t(m.error.gone ? 'error.returnedNewChat' : 'error.returned')}</small>}</span>
            {m.error.retryable !== false && !busy && (
              <button class="button" onClick={onRetry}><Icon name="refresh" size={16} />{t('retry')}</button>
            )}
            {/* The conversation was deleted elsewhere: its question goes, in one press, into a new one. */}
            {m.error.gone && !busy && (
              <button class="button" onClick={onNewChat}><Icon name="plus" size={16} />{t('action.newChatWith')}</button>
            )}
          </div>
        )}
        {/* A refused regenerate or edit notes its refusal on the answer it left in place, which stays usable. */}
        {!m.streaming && (!m.error || m.error.kept) && m.content && (
          <Actions t={t} m={m} conversationId={conversationId} isLastAnswer={isLastAnswer} busy={busy} onRegenerate={onRegenerate} />
        )}
      </div>
    </article>
  );
}

function Progress({ t, stages, sources, reconnecting, writing }) {
  if (reconnecting) return <div class="progress warn" role="status"><span class="spinner" />{t('stage.reconnecting')}</div>;
  const seen = stages.map(s => s.stage);
  const current = stages[stages.length - 1]?.stage;
  const label = s => (s === 'searched' ? `${t('stage.searched')} · ${sources}` : t(`stage.${s}`));
  const order = ['received', 'searching', 'searched', 'generating', 'continuing'].filter(s => seen.includes(s));
  if (writing && current === 'generating') return null;
  return (
    <div class="progress" role="status">
      {order.length === 0 && <span class="stage current"><span class="spinner" />{t('stage.thinking')}</span>}
      {order.map(s => (
        <span key={s} class={`stage${s === current ? ' current' : ' done'}`} data-stage={s}>
          {s === current ? <span class="spinner" /> : <Icon name="check" size={14} />}{label(s)}
        </span>
      ))}
    </div>
  );
}

// What answered, in the user's words: the platform's own sources (a saved answer, a quick reply, quotes) are not
// models, and a refusal ("moderation", "router") says why in its own text.
const ownSources = new Set(['extractive', 'exact-cache', 'semantic-cache', 'hard-coded']);
function servedBy(t, model) {
  if (!model || model === 'moderation' || model === 'router') return null;
  return ownSources.has(model) ? t(`meta.${model}`) : t('meta.model', { model });
}

function Actions({ t, m, conversationId, isLastAnswer, busy, onRegenerate }) {
  const served = servedBy(t, m.model);
  const [copied, setCopied] = useState(false);
  const [vote, setVote] = useState(m.rating || null);
  const [asking, setAsking] = useState(false);
  const [comment, setComment] = useState('');
  const [thanks, setThanks] = useState(false);
  const [error, setError] = useState(null);

  async function rate(rating, text) {
    if (!m.seq) return;
    setError(null);
    try {
      await api.post(`/v1/conversations/${conversationId}/messages/${m.seq}/feedback`, { rating, comment: text || undefined });
      setVote(rating);
      return true;
    } catch (e) { setError(e); return false; }
  }

  // A thumb already pressed is not sent again: a vote without a comment replaces the stored one, comment and all.
  async function thumb(rating) {
    if (vote === rating || await rate(rating)) { setAsking(true); setThanks(false); }
  }

  return (
    <div class="answer-footer">
      <div class="actions">
        <button class="icon-button small" onClick={() => copyText(m.content).then(() => { setCopied(true); setTimeout(() => setCopied(false), 1500); })}
          aria-label={t('action.copyAnswer')} title={copied ? t('action.copied') : t('action.copyAnswer')}>
          <Icon name={copied ? 'check' : 'copy'} size={16} />
        </button>
        {isLastAnswer && (
          <button class="icon-button small" onClick={onRegenerate} disabled={busy} aria-label={t('action.regenerate')} title={t('action.regenerate')}>
            <Icon name="refresh" size={16} />
          </button>
        )}
        {m.seq && <>
          <button class="icon-button small" aria-pressed={vote === 'up' ? 'true' : 'false'} aria-label={t('action.up')} title={t('action.up')}
            onClick={() => thumb('up')}>
            <Icon name="thumbUp" size={16} />
          </button>
          <button class="icon-button small" aria-pressed={vote === 'down' ? 'true' : 'false'} aria-label={t('action.down')} title={t('action.down')}
            onClick={() => thumb('down')}>
            <Icon name="thumbDown" size={16} />
          </button>
        </>}
        {served && <span class="model muted" data-served={m.model}>{served}</span>}
      </div>
      {asking && (
        <form class="feedback" onSubmit={async e => {
          e.preventDefault();
          if (await rate(vote, comment.trim())) { setAsking(false); setThanks(true); setComment(''); }
        }}>
          <label class="field">
            <span>{t('feedback.prompt')}</span>
            <textarea class="input" rows={2} maxLength={2000} value={comment} placeholder={t('feedback.placeholder')}
              onInput={e => setComment(e.currentTarget.value)} />
          </label>
          <div class="edit-actions">
            <button type="button" class="button" onClick={() => setAsking(false)}>{t('close')}</button>
            <button type="submit" class="button primary" disabled={!comment.trim()}>{t('feedback.send')}</button>
          </div>
        </form>
      )}
      {thanks && <p class="muted small" role="status">{t('feedback.thanks')}</p>}
      {error && <p class="form-error" role="alert">{describeError(t, error)}</p>}
    </div>
  );
}
