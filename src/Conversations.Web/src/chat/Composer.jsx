// The message box: grows with its text; Enter sends, Shift+Enter adds a line; while an answer streams, Stop.
// Images are uploaded as soon as they are picked and go with the next message by id.
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../shared/i18n.js';
import { Icon } from '../shared/icons.jsx';
import { maxMessageChars, uploadImage } from './turns.js';
import { keepTyping, typedText } from './draft.js';

const maxImages = 4;

const maxHeight = 220;

// maxChars: the platform's limit from /v1/me (maxMessageChars), else the default.
// sendRef, when given, gets a function that sends the composer's text if it is the given one (true when it did).
// draft: the text the box opens with (a question kept across a sign-in, see draft.js).
// maxImageBytes: the platform's per-image limit from /v1/me: a larger photo is refused here, before it goes over the network.
// typingKey: where the unsent text is kept as it is typed (draft.js), so a discarded tab or a reload gives it back.
export function Composer({ t, busy, onSend, onStop, sendRef, draft, readsImages = true, maxChars = maxMessageChars, maxImageBytes, typingKey }) {
  const [text, setText] = useState(() => draft || (typingKey ? typedText(typingKey) : ''));
  const [images, setImages] = useState([]);
  const [uploading, setUploading] = useState(null); // the name of the photo being uploaded
  const [imageError, setImageError] = useState(null);
  const [tooLong, setTooLong] = useState(null); // the refused length, until the text is changed
  const box = useRef(null);
  const picker = useRef(null);

  async function attach(files) {
    setImageError(null);
    const picked = [...files];
    const room = maxImages - images.length;
    // Told, not dropped: photos past the per-message count, and photos over the size limit (checked before sending).
    const tooBig = maxImageBytes ? picked.slice(0, room).filter(f => f.size > maxImageBytes) : [];
    const problems = [];
    if (picked.length > room) problems.push(t('composer.tooManyImages', { max: maxImages, count: picked.length - room }));
    if (tooBig.length) problems.push(t('composer.imageTooLarge', { name: tooBig.map(f => f.name).join(', '), mb: Math.floor(maxImageBytes / 1048576) }));
    try {
      for (const file of picked.slice(0, room).filter(f => !tooBig.includes(f))) {
        setUploading(file.name);
        const id = await uploadImage(file);
        setImages(list => [...list, { id, name: file.name }]);
      }
    } catch (e) {
      problems.push(describeError(t, e)); // in the reader's words: offline, the limit, the server's reason
    } finally {
      setUploading(null);
      setImageError(problems.length ? problems.join(' ') : null);
      if (picker.current) picker.current.value = '';
    }
  }

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, maxHeight)}px`;
  }, [text]);
  useEffect(() => { if (!busy) box.current?.focus({ preventScroll: true }); }, [busy]);
  useEffect(() => { if (typingKey) keepTyping(typingKey, text); }, [text, typingKey]);

  function send() {
    const value = text.trim();
    if (!value || busy || uploading) return;
    // The platform refuses a longer message (413): say so here, before a conversation is made for it.
    if (value.length > maxChars) {
      setTooLong(value.length);
      return;
    }
    setText('');
    if (typingKey) keepTyping(typingKey, '');
    setImageError(null);
    const sent = images;
    const imageIds = sent.map(i => i.id);
    setImages([]);
    // A question the platform refused (or whose conversation was deleted elsewhere while it was answered) comes back
    // to the box with its images (unless something else was typed or picked meanwhile), so sending it again is one press.
    Promise.resolve(onSend(value, imageIds.length ? { imageIds } : undefined))
      .then(result => {
        if (!result?.returned) return;
        setText(current => current || value);
        setImages(list => (list.length ? list : sent));
      });
  }

  if (sendRef) {
    sendRef.current = value => {
      if (text.trim() !== value.trim() || busy || uploading) return false;
      send();
      return true;
    };
  }

  return (
    <div class="composer-wrap">
      {(images.length > 0 || imageError || uploading) && (
        <div class="composer-images">
          {images.map(i => (
            <span class="chip" key={i.id}>
              <Icon name="image" size={14} /> {i.name}
              <button type="button" class="icon-button" aria-label={t('composer.removeImage')} title={t('composer.removeImage')}
                onClick={() => setImages(list => list.filter(x => x.id !== i.id))}><Icon name="close" size={14} /></button>
            </span>
          ))}
          {uploading && <span class="composer-uploading muted" role="status"><Icon name="image" size={14} /> {t('composer.uploading', { name: uploading })}</span>}
          {imageError && <span class="composer-image-error" role="alert">{imageError}</span>}
        </div>
      )}
      {tooLong && <p class="composer-too-long" role="alert">
        {t('composer.tooLong', { count: tooLong.toLocaleString(), max: maxChars.toLocaleString() })}</p>}
      <form class="composer" onSubmit={e => { e.preventDefault(); send(); }}>
        {/* No model here reads images: a question with one would only be refused, so none is offered. */}
        {readsImages && <>
          <input ref={picker} type="file" accept="image/png,image/jpeg,image/gif,image/webp" multiple hidden data-testid="image-picker"
            onChange={e => attach(e.currentTarget.files)} />
          <button type="button" class="attach" disabled={busy || uploading || images.length >= maxImages}
            aria-label={t('composer.attach')} title={t('composer.attach')} onClick={() => picker.current?.click()}><Icon name="image" /></button>
        </>}
        <textarea ref={box} rows={1} value={text} placeholder={t('composer.placeholder')} aria-label={t('composer.label')}
          onInput={e => {
            const value = e.currentTarget.value;
            setText(value);
            setTooLong(null);
            // At once, not in an effect after the next paint: a tab discarded right after a keystroke keeps it too.
            if (typingKey) keepTyping(typingKey, value);
          }}
          onKeyDown={e => {
            // isComposing: Enter that picks a character in a Chinese input method must not send.
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
          }} />
        {/* Stop appears where Send was: the second tap of a double-tap on Send lands on it (a click counted 2), and is
            not taken for a Stop; a tap of its own, or the keyboard, stops at once. */}
        {busy
          ? <button type="button" class="send stop" onClick={e => { if (e.detail < 2) onStop(); }} aria-label={t('composer.stop')} title={t('composer.stop')}><Icon name="stop" /></button>
          : <button type="submit" class="send" disabled={!text.trim() || uploading} aria-label={t('composer.send')} title={t('composer.send')}><Icon name="send" /></button>}
      </form>
      <p class="composer-hint muted">{t('composer.hint')}</p>
    </div>
  );
}
