// A typed question whose send met an expired or revoked key (401). The page then signs out and forgets everything on
// it, so the question is kept for the tab (sessionStorage) with its conversation, and goes back into the composer when
// the same user signs in again. Another user signing in drops it: it is not theirs to read.
const storageKey = 'conversations.chat.draft';

export function keepDraft(userId, conversationId, text) {
  try {
    sessionStorage.setItem(storageKey, JSON.stringify({ userId, conversationId, text }));
  } catch { /* storage off or full: the question is lost, as it was before drafts were kept */ }
}

/** The kept draft ({ conversationId, text }) when it is this user's, else null; it is removed either way. */
export function takeDraft(userId) {
  let draft = null;
  try {
    draft = JSON.parse(sessionStorage.getItem(storageKey) || 'null');
    sessionStorage.removeItem(storageKey);
  } catch { /* unreadable: nothing to restore */ }
  return draft && draft.userId === userId && typeof draft.text === 'string' ? draft : null;
}

// What is typed in a conversation's box and not yet sent, kept for the tab as it is typed: a phone that discards a
// background tab, or a reload, gives it back. Keyed by user and conversation ('new' before it has an id); only the
// same user gets it back, and another user signing in to the tab drops the others'.
const typingPrefix = 'conversations.chat.typing.';

/** The storage key of what `userId` types in `conversationId` (null: a new conversation). */
export function typingKey(userId, conversationId) {
  return `${typingPrefix}${encodeURIComponent(userId)}.${conversationId || 'new'}`;
}

/** Keeps the typed text under `key`; an empty text removes it (sent, or cleared). */
export function keepTyping(key, text) {
  try {
    if (text) sessionStorage.setItem(key, text);
    else sessionStorage.removeItem(key);
  } catch { /* storage off or full: only the keeping is lost */ }
}

/** The text kept under `key`, or ''. */
export function typedText(key) {
  try {
    return sessionStorage.getItem(key) || '';
  } catch {
    return '';
  }
}

/** Drops what other users typed in this tab. */
export function forgetOthersTyping(userId) {
  const own = `${typingPrefix}${encodeURIComponent(userId)}.`;
  try {
    const others = [];
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i);
      if (k?.startsWith(typingPrefix) && !k.startsWith(own)) others.push(k);
    }
    others.forEach(k => sessionStorage.removeItem(k));
  } catch { /* unreadable: nothing to drop */ }
}
