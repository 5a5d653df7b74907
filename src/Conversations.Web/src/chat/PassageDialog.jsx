// A cited passage, opened from a numbered citation: fetched with the reader's key, so the ACL of today applies.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { describeError } from '../shared/i18n.js';
import { Icon } from '../shared/icons.jsx';
import { copyCodeClick, renderMarkdown } from '../shared/markdown.js';

export function PassageDialog({ t, citation, onClose }) {
  const dialog = useRef(null);
  const [passage, setPassage] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    dialog.current?.showModal();
    api.get(`/v1/knowledge/passages/${encodeURIComponent(citation.documentId)}/${citation.chunkIndex}`)
      .then(setPassage, e => setError(e));
  }, [citation]);

  return (
    <dialog ref={dialog} class="passage" onClose={onClose} onClick={e => { if (e.target === dialog.current) dialog.current.close(); }}
      aria-labelledby="passage-title">
      <div class="passage-head">
        <div>
          <p class="muted small">{t('passage.title')} · {t('passage.part', { n: citation.chunkIndex + 1 })}</p>
          <h2 id="passage-title">{passage?.title || citation.documentTitle}</h2>
        </div>
        <button class="icon-button" onClick={() => dialog.current.close()} aria-label={t('close')} autofocus><Icon name="close" /></button>
      </div>
      <div class="passage-body">
        {!passage && !error && <p class="muted">{t('passage.loading')}</p>}
        {error && <p class="form-error" role="alert">{error.status === 404 ? t('passage.gone') : describeError(t, error)}</p>}
        {/* A document's text cites nothing: [ticket#123] in it stays text, not a citation link that goes nowhere. */}
        {passage?.text && <div class="markdown" onClick={copyCodeClick} dangerouslySetInnerHTML={{ __html: renderMarkdown(passage.text, [], { cite: false }).html }} />}
        {/* Moderation withheld the rest: the text before it is shown, and the passage's own words say why it stops. */}
        {passage?.withheld && <p class="passage-withheld muted" role="note" data-testid="passage-withheld">{t('passage.withheld')}</p>}
      </div>
    </dialog>
  );
}
