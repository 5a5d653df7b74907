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
