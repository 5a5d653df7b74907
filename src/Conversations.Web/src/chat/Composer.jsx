// The message box: grows with its text; Enter sends, Shift+Enter adds a line; while an answer streams, Stop.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Icon } from '../shared/icons.jsx';

const maxHeight = 220;

export function Composer({ t, busy, onSend, onStop }) {
  const [text, setText] = useState('');
  const box = useRef(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, maxHeight)}px`;
  }, [text]);
  useEffect(() => { if (!busy) box.current?.focus({ preventScroll: true }); }, [busy]);

  function send() {
    const value = text.trim();
    if (!value || busy) return;
    setText('');
    onSend(value);
  }

  return (
    <div class="composer-wrap">
      <form class="composer" onSubmit={e => { e.preventDefault(); send(); }}>
        <textarea ref={box} rows={1} value={text} placeholder={t('composer.placeholder')} aria-label={t('composer.label')}
          onInput={e => setText(e.currentTarget.value)}
          onKeyDown={e => {
            // isComposing: Enter that picks a character in a Chinese input method must not send.
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
          }} />
        {busy
          ? <button type="button" class="send stop" onClick={onStop} aria-label={t('composer.stop')} title={t('composer.stop')}><Icon name="stop" /></button>
          : <button type="submit" class="send" disabled={!text.trim()} aria-label={t('composer.send')} title={t('composer.send')}><Icon name="send" /></button>}
      </form>
      <p class="composer-hint muted">{t('composer.hint')}</p>
    </div>
  );
}
