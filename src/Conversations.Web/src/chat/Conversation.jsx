// One conversation: its history, the streamed turn (progress, stop, resume, retry), regenerate and edit-and-resend.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../shared/api.js';
import { codeText, describeError } from '../shared/i18n.js';
import { Icon } from '../shared/icons.jsx';
import { cancelTurn, newTurnId, runTurn, silenceLimitMs } from './turns.js';
import { Message } from './Message.jsx';
import { Composer } from './Composer.jsx';
import { PassageDialog } from './PassageDialog.jsx';
import { keepDraft, typingKey } from './draft.js';

let keys = 0;
const historyPage = 200; // messages per page of history (the API's largest)
const stopGraceMs = 5000; // how long a taken Stop may take to end the stream before the turn is followed again
// A plain request (history, a new conversation) whose response has not begun by then went out on a dead connection (a
// phone that changed networks): given up as the network's failure, which offers a retry, instead of waiting for ever.
const plainHeadersMs = 15_000;
const key = () => `m${++keys}`;

// An HTTP refusal of the send (4xx before any event): the platform stored nothing of the question. A question it
// refuses once the turn runs (moderation, budget) is stored with its refusal and answered as an event instead.
const notStored = e => e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403;

// A send the platform could not save (503 storage_unavailable, still so after the sends turns.js made): no turn exists,
// and the same turn id may be sent again.
const notSaved = e => e instanceof ApiError && e.status === 503 && e.body?.code === 'storage_unavailable';

// The events that prove the question was stored, as the API's acknowledgement counts them ("received", the answer's
// text, its end): progress before "received", heartbeats and errors do not (a turn can fail before its question is saved).
const provesStored = (name, data) => name === 'delta' || name === 'done' || (name === 'progress' && data?.stage === 'received');

// Refusals of the question itself: an edit refused this way replaced nothing on the platform.
const INPUT_REFUSALS = ['input_refused', 'image_refused', 'moderation_unavailable'];

// The code of a conversation deleted elsewhere: a send or a resume refused with it (404), or the last event of a
// turn whose conversation was deleted while its answer was written.
const DELETED = 'not_found';
const deletedError = e => e instanceof ApiError && e.status === 404 && e.body?.code === DELETED;

// The last events of a turn that can never be resumed or sent again, in the reader's words (the stream's own text
// names no window or device, and is English only).
const GONE_FOR_GOOD = { [DELETED]: 'error.deletedWhileAnswering', tenant_deleted: 'error.workspaceDeleted', data_destroyed: 'error.dataDestroyed' };

/** A title from the first question: its first line, cut at a word near 60 characters. */
export function titleFrom(text) {
  const line = text.trim().split('\n')[0].replace(/\s+/g, ' ');
  if (line.length <= 60) return line;
  const cut = line.slice(0, 60);
  const space = cut.lastIndexOf(' ');
  return (space > 30 ? cut.slice(0, space) : cut) + '…';
}

const fromHistory = m => ({
  key: key(), role: m.role, content: m.content, status: m.status, seq: m.seq, turnId: m.turnId, imageIds: m.imageIds,
  citations: m.citations || [], model: m.model, rating: m.rating,
});

export function Conversation({ t, me, conversationId, renamed, onCreated, onGone, onActivity, onMenu, drawerOpen, draft }) {
  const [title, setTitle] = useState('');
  const [messages, setMessages] = useState([]);
  const [loading, setLoading] = useState(!!conversationId);
  const [loadError, setLoadError] = useState(null);
  const [earlier, setEarlier] = useState(null); // { before, loading, error }: older history not shown yet
  const [turn, setTurn] = useState(null); // { conversationId, turnId } while an answer streams
  const [reconnecting, setReconnecting] = useState(false);
  const [passage, setPassage] = useState(null);
  const idRef = useRef(conversationId);
  const abort = useRef(new AbortController());
  const scroller = useRef(null);
  const pinned = useRef(true);
  const keptFromBottom = useRef(null); // earlier messages were put on top: the reader's place, kept from the bottom
  const menu = useRef(null);
  const pendingStop = useRef(null); // { turnId, sending }: Stop pressed, not yet taken by the platform
  const sendingTurn = useRef(null); // the turn this page is sending, until its ask() ends
  const following = useRef({ turnId: null, resume() {} }); // the streamed turn's connection (turns.js fills resume)
  const wasOpen = useRef(false);
  // The conversation shown was deleted elsewhere: the next question starts a new one, without the old history.
  const deletedElsewhere = useRef(false);
  const composerSend = useRef(null); // sends the composer's text if it is the one given (Composer fills it)

  // The closed drawer gives the focus back to the button that opened it.
  useEffect(() => {
    if (wasOpen.current && !drawerOpen && menu.current?.offsetParent) menu.current.focus();
    wasOpen.current = drawerOpen;
  }, [drawerOpen]);

  useEffect(() => () => abort.current.abort(), []);

  // Renamed in the list: the header follows.
  useEffect(() => { if (renamed && renamed.id === idRef.current) setTitle(renamed.title); }, [renamed]);

  // idRef, not the prop: a conversation started on this page has its id only there.
  // keepSending false: the turn this page sent is over and the history is the truth (a refused edit, a put back).
  async function load({ keepSending = true } = {}) {
    if (!idRef.current) return;
    setLoading(true);
    setLoadError(null);
    try {
      const data = await api.get(`/v1/conversations/${idRef.current}?limit=${historyPage}`, { signal: abort.current.signal, headersWithinMs: plainHeadersMs });
      setTitle(data.conversation.title);
      const history = data.messages.map(fromHistory);
      // A question this page is sending meanwhile (typed before the history came, or while it could not load) keeps
      // its place and its stream: the history's copy of that turn, if it has one yet, gives way to it.
      const sending = keepSending ? sendingTurn.current : null;
      setMessages(list => (sending ? [...history.filter(m => m.turnId !== sending), ...list.filter(m => m.turnId === sending)] : history));
      setEarlier(data.nextBefore != null ? { before: data.nextBefore } : null);
      const last = history[history.length - 1];
      if (last?.role === 'user' && last.turnId !== sending) follow(last.turnId, { text: last.content, imageIds: last.imageIds });
    } catch (e) {
      if (e.name !== 'AbortError') {
        e.offline = !navigator.onLine; // failed for the browser being offline, not for the platform
        setLoadError(e);
      }
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => { if (conversationId) load(); }, []);
  // Opened while offline: the history loads by itself once the browser is back online, so a question sent then goes
  // into a conversation the page shows, not one it could not open.
  useEffect(() => {
    if (!loadError || loadError.status !== 0) return undefined;
    const again = () => load();
    window.addEventListener('online', again);
    // Back online between the failure and this listener (an effect runs after the error is shown): load now.
    if (loadError.offline && navigator.onLine) load();
    return () => window.removeEventListener('online', again);
  }, [loadError]);

  // The page of history before the oldest message shown, put on top where the reader is.
  async function loadEarlier() {
    if (!earlier || earlier.loading) return;
    setEarlier({ ...earlier, loading: true, error: null });
    try {
      const data = await api.get(`/v1/conversations/${idRef.current}?before=${earlier.before}&limit=${historyPage}`, { signal: abort.current.signal, headersWithinMs: plainHeadersMs });
      const el = scroller.current;
      if (el) keptFromBottom.current = el.scrollHeight - el.scrollTop;
      setMessages(list => [...data.messages.map(fromHistory), ...list]);
      setEarlier(data.nextBefore != null ? { before: data.nextBefore } : null);
    } catch (e) {
      if (e.name !== 'AbortError') setEarlier({ ...earlier, loading: false, error: e });
    }
  }

  // Follow the answer as it grows, unless the reader scrolled up; older messages put on top leave the reader in place.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (keptFromBottom.current != null) {
      el.scrollTop = el.scrollHeight - keptFromBottom.current;
      keptFromBottom.current = null;
    } else if (pinned.current) el.scrollTop = el.scrollHeight;
  });
  const onScroll = e => {
    const el = e.currentTarget;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  const update = (k, change) => setMessages(list => list.map(m => (m.key === k ? { ...m, ...change(m) } : m)));

  async function ask(text, { turnId = newTurnId(), answerKey = null, imageIds, replaces, typed = false } = {}) {
    pinned.current = true;
    let id = idRef.current;
    let createdHere = false;
    const aKey = answerKey || key();
    // After a deletion elsewhere the question goes into a new conversation: the deleted history leaves the page.
    const restart = deletedElsewhere.current && !id;
    deletedElsewhere.current = false;
    if (restart) replaces = undefined;
    if (!answerKey) {
      // A question the platform refused outright (too long, malformed) was never stored: with the next question its
      // error goes, as it would after a reload. So does a refused regenerate's note on the answer it left in place.
      setMessages(list => [...(restart ? [] : list.filter(m => !list.some(a => a.error?.refused && a.turnId === m.turnId))
        .map(m => (m.error?.kept ? { ...m, error: null } : m))),
        { key: key(), role: 'user', content: text, status: 'complete', turnId, imageIds },
        { key: aKey, role: 'assistant', content: '', status: 'streaming', turnId, citations: [], stages: [], streaming: true, replaces }]);
    } else {
      update(aKey, () => ({ content: '', status: 'streaming', citations: [], stages: [], streaming: true, error: null, turnId, replaces }));
    }
    pendingStop.current = null;
    sendingTurn.current = turnId;
    // Stop shows from the first moment: pressed before the turn reaches the platform, it is sent at the turn's first event.
    setTurn({ conversationId: id, turnId });
    let started = false; // an event came: the platform took the turn
    let stored = false; // an event proved the question stored
    let deleted = false; // the turn ended because its conversation was deleted elsewhere
    try {
      if (!id) {
        // Keyed by the turn: a retry after a lost answer gets the same conversation, not a second, empty one.
        const created = await api.post('/v1/conversations', { title: titleFrom(text) },
          { signal: abort.current.signal, headers: { 'Idempotency-Key': turnId }, headersWithinMs: plainHeadersMs });
        id = idRef.current = created.conversationId;
        createdHere = true;
        setTitle(created.title);
        onCreated(id);
        setTurn({ conversationId: id, turnId });
        // Stop pressed while the conversation was being made: the question was never sent, so it is not, as when the
        // platform stops a turn before storing it (the text goes back, the empty conversation goes).
        if (pendingStop.current?.turnId === turnId) throw new ApiError(409, 'stopped', null, { code: 'stopped' });
      }
      let refusedEdit = false;
      await runTurn({
        conversationId: id, text, turnId, imageIds, replaces, signal: abort.current.signal, control: followed(turnId),
        onReconnecting: setReconnecting, silenceMs: silenceLimitMs(me?.heartbeatSeconds),
        onEvent: (name, data) => {
          started = true;
          if (provesStored(name, data)) stored = true;
          update(aKey, m => onTurnEvent(m, name, data));
          sendStop(id, turnId);
          if (replaces && name === 'error' && INPUT_REFUSALS.includes(data?.code)) refusedEdit = true;
          if (name === 'error' && data?.code === DELETED) deleted = true;
        },
      });
      // Deleted while its answer was written: a question typed in the composer goes back there, as when the send is refused.
      if (deleted) {
        deletedWhileAnswering(aKey, { text, imageIds, returned: typed });
        return { returned: typed };
      }
      // The platform keeps the answered turn when an edit is refused: show the history as it is stored.
      if (refusedEdit) await load({ keepSending: false });
    } catch (e) {
      if (e.name === 'AbortError') return;
      const connection = e instanceof ApiError && e.status === 0;
      // A browser that knows it is offline says so: "could not be restored" would be wrong for a send that never left.
      // The last turn changed elsewhere (another tab answered meanwhile): what this page shows is out of date.
      const notLast = e.body?.code === 'turn_not_last';
      // The conversation was deleted in another tab or on another device: before the answer began nothing was kept,
      // so the question is refused like any other 4xx (back in the composer); after (a resume refused), the answer
      // stops unfinished. Either way the next send starts a new conversation.
      const gone = deletedError(e);
      const unsaved = notSaved(e);
      const message = connection ? t(navigator.onLine ? 'error.connection' : 'error.offline') : unsaved ? t('error.notSaved')
        : gone ? t(started ? 'error.deletedWhileAnswering' : 'error.deletedElsewhere') : notLast ? t('error.notLast')
        // Stopped by its Stop button before the platform stored it: nothing was kept, as asked.
        : e.body?.code === 'stopped' ? t('error.stoppedBeforeSaved') : e.status === 409 ? t('error.busy') : describeError(t, e);
      // The key expired or was revoked as the question went (401): the page signs out and forgets it, so a typed
      // question not yet stored is kept for this user's next sign-in, in this conversation.
      if (typed && !stored && e instanceof ApiError && e.status === 401) keepDraft(me.userId, id, text);
      // Refused before it was stored (a bad request, a size or rate limit, a busy or changed conversation): a question
      // typed in the composer goes back there, whose Send is then the retry, so the card says so and offers none of its own.
      // Once an event came the question was stored (the send's response begins only then): a 4xx after that refused a
      // resume, not the question, which stays, with a Try again of the same turn.
      const refused = notStored(e) && !started;
      const returned = refused && typed;
      const retryable = !returned && !notLast && (e.retryable ?? true);
      // `connection`: given up for the network, so tried again by itself when it comes back (see reconnect below).
      update(aKey, () => ({ streaming: false, status: 'failed', error: { message, retryable, returned, sameTurn: connection || unsaved || started, connection, refused, gone, text, imageIds, replaces } }));
      // A regenerate or an edit refused before it was stored replaced nothing: the question and answer it was to
      // replace come back as stored, with the refusal (and its Try again) on that answer.
      const replacedNothing = refused && !!replaces && !stored && !gone && !notLast;
      if (replacedNothing) await putBack({ message, retryable, text, imageIds, replaces });
      // A first question refused at the door left the conversation made for it empty: it goes, so the list shows
      // no empty conversation and the next question starts a new one. One deleted elsewhere leaves the list too.
      if (gone) leaveDeleted();
      else if (refused && createdHere) {
        idRef.current = null;
        setTitle('');
        api.delete(`/v1/conversations/${encodeURIComponent(id)}`).catch(() => {}).finally(() => onGone?.());
      }
      return { returned, replacedNothing };
    } finally {
      // Only this turn's: a reload above may have found another turn running, and follows it.
      setTurn(current => (current?.turnId === turnId ? null : current));
      if (sendingTurn.current === turnId) sendingTurn.current = null;
      setReconnecting(false);
      onActivity();
    }
  }

  // The stored history back on the page after a refused regenerate or edit; `error` goes on the answer it left in
  // place, if that is still the last one (kept: the next question clears it, and the answer keeps its actions).
  async function putBack(error) {
    await load({ keepSending: false });
    setMessages(list => {
      const last = list[list.length - 1];
      if (last?.role !== 'assistant' || last.streaming || last.turnId !== error.replaces) return list;
      return list.map(m => (m === last ? { ...m, error: { ...error, kept: true } } : m));
    });
  }

  // The page was opened (or reloaded) while an answer was being written: show it as it goes on. `question`
  // ({ text, imageIds }) is the one it answers, offered again in a new chat should the conversation be deleted meanwhile.
  async function follow(turnId, question) {
    const aKey = key();
    // Its question is in the stored history, so the turn is stored whatever its events say.
    setMessages(list => [...list, { key: aKey, role: 'assistant', content: '', status: 'streaming', turnId, citations: [], stages: [], streaming: true, stored: true }]);
    setTurn({ conversationId: idRef.current, turnId });
    let deleted = false;
    try {
      await runTurn({
        conversationId: idRef.current, turnId, resumeOnly: true, signal: abort.current.signal, control: followed(turnId),
        onReconnecting: setReconnecting, silenceMs: silenceLimitMs(me?.heartbeatSeconds),
        onEvent: (name, data) => {
          update(aKey, m => onTurnEvent(m, name, data));
          sendStop(idRef.current, turnId);
          if (name === 'error' && data?.code === DELETED) deleted = true;
        },
      });
      if (deleted) deletedWhileAnswering(aKey, question);
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e instanceof ApiError && e.status === 0) {
        // The network gave out while following: say so, and let a retry follow the turn again (it goes on on the server).
        update(aKey, () => ({ streaming: false, status: 'failed', error: { message: t('error.connection'), retryable: true, follow: true, question } }));
        return;
      }
      if (deletedError(e)) {
        deletedWhileAnswering(aKey, question);
        return;
      }
      // No such turn any more (its question was never answered): the question stands alone.
      setMessages(list => list.filter(m => m.key !== aKey));
    } finally {
      setTurn(null);
      setReconnecting(false);
    }
  }

  // Deleted in another tab or on another device: the conversation leaves the list and the address, and the next
  // question starts a new one.
  function leaveDeleted() {
    idRef.current = null;
    deletedElsewhere.current = true;
    onGone?.();
  }

  // The conversation was deleted while this answer was written: the answer stays as far as it got, marked unfinished
  // (failed, with no actions of a finished answer), and its question ({ text, imageIds, returned }) is offered again
  // in a new chat.
  function deletedWhileAnswering(aKey, question) {
    update(aKey, m => ({
      streaming: false, status: 'failed',
      error: { ...m.error, message: t('error.deletedWhileAnswering'), retryable: false, gone: true, ...question },
    }));
    leaveDeleted();
  }

  // An event that proves the question stored makes the turn one a regenerate or an edit may replace later.
  function onTurnEvent(m, name, data) {
    if (!m.stored && provesStored(name, data)) return { stored: true, ...onTurnEvent({ ...m, stored: true }, name, data) };
    switch (name) {
      // 'waiting' is the stream's heartbeat while the model is slow: the stage shown is still the one before it.
      case 'progress': return data.stage === 'waiting' ? {} : { stages: [...(m.stages || []), data] };
      case 'citation': return { citations: [...m.citations, data] };
      case 'delta': return { content: m.content + data.text };
      case 'done': return {
        streaming: false, seq: data.assistantMessageSeq, model: data.model,
        status: data.finishReason === 'stopped' ? 'stopped' : 'complete',
      };
      case 'error': return {
        streaming: false, status: 'failed',
        error: { message: GONE_FOR_GOOD[data.code] ? t(GONE_FOR_GOOD[data.code]) : codeText(t, data.code, data.message), retryable: data.retryable, code: data.code, text: null },
      };
      default: return {};
    }
  }

  const lastUser = [...messages].reverse().find(m => m.role === 'user');
  const lastAnswer = messages[messages.length - 1]?.role === 'assistant' ? messages[messages.length - 1] : null;

  // Regenerate and edit-and-resend ask the last question again (as typed, or edited) in place of the last answer,
  // with the images it carried. A stored last turn is named as replaced, so the platform drops it from the history
  // and from what the model reads next; one never stored (refused at the door, never sent) is only dropped here.
  // `failed`: the failed answer whose Try again this is, which knows the turn it was to replace.
  function again(text, failed) {
    if (turn) return;
    const imageIds = lastUser?.imageIds?.length ? lastUser.imageIds : undefined;
    const replaces = failed ? replacedBy(failed)
      : lastAnswer && (lastAnswer.seq != null || lastAnswer.stored) ? lastAnswer.turnId : undefined;
    setMessages(list => {
      const i = list.findLastIndex(m => m.role === 'user');
      return i >= 0 ? list.slice(0, i) : list;
    });
    const asked = ask(text, { imageIds, replaces });
    // The title came from the question now replaced (the only one, never renamed): it follows the new question.
    const retitle = replaces && messages.filter(m => m.role === 'user').length === 1 && title === titleFrom(lastUser.content)
      && titleFrom(text) !== title;
    if (retitle) {
      const path = `/v1/conversations/${encodeURIComponent(idRef.current)}`;
      const rename = to => api.patch(path, { title: to }, { signal: abort.current.signal })
        .then(c => { setTitle(c.title); onActivity(); return true; }, () => false);
      const before = title;
      // An edit refused before it was stored left its old question in place: so is the title taken from it.
      Promise.all([rename(titleFrom(text)), asked]).then(([renamed, result]) => { if (renamed && result?.replacedNothing) rename(before); });
    }
  }

  function retry(m) {
    if (turn) return;
    if (m.error?.follow) {
      setMessages(list => list.filter(x => x.key !== m.key));
      follow(m.turnId, m.error.question);
      return;
    }
    const question = m.error?.text ?? messages[messages.findIndex(x => x.key === m.key) - 1]?.content;
    if (!question || turn) return;
    // A lost connection may have left the turn running: the same turn id joins it. Otherwise it is a new turn.
    // The same turn id must come with the same images, or the platform takes it for another message (422).
    if (m.error?.sameTurn) ask(question, { turnId: m.turnId, answerKey: m.key, imageIds: m.error.imageIds, replaces: m.error.replaces });
    else again(question, m);
  }

  // The turn a retry of failed answer `m` takes the place of: the failed turn itself once stored; else the one its
  // regenerate or edit was to replace, which still stands (the page may show it, or show the failed card instead).
  function replacedBy(m) {
    if (m.seq != null || m.stored) return m.turnId;
    return m.error?.replaces ?? m.replaces;
  }

  // The network is back (online), or the reader is back on the page. A turn given up for the connection is tried again
  // by itself, as its Try again would. A live answer is resumed at once on online, and on coming back after longer than
  // a heartbeat: a phone that changed networks or slept in the background leaves a socket that died without closing,
  // which would otherwise be waited out to the silence limit.
  const reconnect = useRef(null);
  const lastAutoRetry = useRef(null); // the error last retried by itself: online and visible together retry it once
  reconnect.current = interruptLive => {
    if (turn) {
      if (interruptLive) following.current.resume();
      return;
    }
    if (!navigator.onLine) return;
    // The last answer only: an older one's Try again stays the reader's choice.
    const lost = lastAnswer?.error;
    if (!lost || !(lost.connection || lost.follow) || lost === lastAutoRetry.current) return;
    lastAutoRetry.current = lost;
    retry(lastAnswer);
  };
  useEffect(() => {
    const heartbeatMs = silenceLimitMs(me?.heartbeatSeconds) / 3;
    let hiddenAt = null;
    const online = () => reconnect.current(true);
    const visibility = () => {
      if (document.visibilityState === 'hidden') { hiddenAt = Date.now(); return; }
      const away = hiddenAt == null ? 0 : Date.now() - hiddenAt;
      hiddenAt = null;
      reconnect.current(away > heartbeatMs);
    };
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visibility);
    return () => {
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visibility);
    };
  }, []);

  // A question refused because its conversation was deleted elsewhere, sent into a new conversation: from the
  // composer when the question is back there (with its images), else as it was asked.
  function sendInNewChat(m) {
    if (turn || !m.error?.text) return;
    if (m.error.returned && composerSend.current?.(m.error.text)) return;
    ask(m.error.text, { imageIds: m.error.imageIds });
  }

  // The connection of the turn now streamed, which a Stop that finds the turn already over re-follows.
  function followed(turnId) {
    following.current = { turnId, resume() {} };
    return following.current;
  }

  async function stop() {
    if (!turn) return;
    pendingStop.current = { turnId: turn.turnId, sending: false };
    await sendStop(turn.conversationId, turn.turnId);
  }

  // Sends a pending Stop. A 404 means the platform has not started the turn yet (Stop pressed in its first
  // milliseconds), and status 0 that it never left (offline): the turn's next event, which comes once the connection
  // is back, sends it again. Anything else means it was taken, or the turn finished first.
  async function sendStop(conversationId, turnId) {
    const p = pendingStop.current;
    if (!conversationId || !p || p.turnId !== turnId || p.sending) return;
    p.sending = true;
    try {
      await cancelTurn(conversationId, turnId);
      if (pendingStop.current === p) pendingStop.current = null;
      // Taken: the stream ends with the stopped answer within moments. Still running after that, its connection died
      // without closing, and the turn is followed again.
      setTimeout(() => { if (following.current.turnId === turnId) following.current.resume(); }, stopGraceMs);
    } catch (e) {
      // 404: not started yet; 0: offline. Both are sent again at the turn's next event. 409: the answer was already
      // finished, yet its stream still runs here: it may be a dead connection that never said so, so the turn is
      // followed again from the last event and ends as stored. Anything else: the stream's own end tells the story.
      if (e instanceof ApiError && (e.status === 404 || e.status === 0)) {
        p.sending = false;
        return;
      }
      if (pendingStop.current === p) pendingStop.current = null;
      if (e instanceof ApiError && e.status === 409 && following.current.turnId === turnId) following.current.resume();
    }
  }

  const busy = !!turn;
  return (
    <main class="chat" aria-busy={busy ? 'true' : 'false'} inert={drawerOpen || undefined}>
      <header class="chat-header">
        <button ref={menu} class="icon-button only-phone" onClick={onMenu} aria-label={t('nav.open')} aria-expanded={drawerOpen ? 'true' : 'false'}>
          <Icon name="menu" />
        </button>
        <h1 class="chat-title">{title || t('nav.new')}</h1>
      </header>
      <div class="messages" ref={scroller} onScroll={onScroll}>
        <div class="messages-inner" role="log" aria-live="polite" aria-relevant="additions">
          {loading && <p class="muted center">{t('loading')}</p>}
          {earlier && !loading && <div class="load-earlier">
            <button class="button" onClick={loadEarlier} disabled={earlier.loading}>{t(earlier.loading ? 'loading' : 'history.earlier')}</button>
            {earlier.error && <span class="small" role="alert">{describeError(t, earlier.error)}</span>}
          </div>}
          {loadError && <div class="error-card" role="alert"><Icon name="alert" />
            <span>{loadError.status === 404 ? t('error.gone') : describeError(t, loadError)}</span>
            {/* A conversation that no longer exists cannot come back by trying again. */}
            {loadError.retryable !== false && <button class="button" onClick={load}><Icon name="refresh" size={16} />{t('retry')}</button>}</div>}
          {!loading && !loadError && messages.length === 0 && <Welcome t={t} me={me} onPick={ask} />}
          {messages.map(m => (
            <Message key={m.key} t={t} m={m} conversationId={idRef.current} reconnecting={m.streaming && reconnecting}
              isLastAnswer={m === lastAnswer} isLastQuestion={m === lastUser} busy={busy}
              onRegenerate={() => lastUser && again(lastUser.content)} onEdit={again} onRetry={() => retry(m)} onNewChat={() => sendInNewChat(m)}
              onCite={c => setPassage(c)} maxChars={me?.maxMessageChars || undefined} />
          ))}
        </div>
      </div>
      <Composer t={t} busy={busy} draft={draft} sendRef={composerSend} onSend={(text, options) => ask(text, { ...options, typed: true })} onStop={stop} readsImages={me?.readsImages !== false} maxChars={me?.maxMessageChars || undefined} maxImageBytes={me?.maxImageBytes || undefined}
        typingKey={typingKey(me.userId, idRef.current)} />
      {passage && <PassageDialog t={t} citation={passage} onClose={() => setPassage(null)} />}
    </main>
  );
}

// The starter questions are the tenant's own (/v1/me's starterQuestions, set by its admin); a tenant that set none
// gets none, rather than questions about another company's handbook.
function Welcome({ t, me, onPick }) {
  const suggestions = me.starterQuestions ?? [];
  return (
    <div class="welcome">
      <img src="/icons/icon.svg" alt="" width="56" height="56" />
      <h2>{t('welcome.title', { name: me.displayName || me.userId })}</h2>
      <p class="muted">{t('welcome.text', { tenant: me.tenantName })}</p>
      {suggestions.length > 0 && <div class="suggestions">
        {suggestions.map(s => <button key={s} class="suggestion" onClick={() => onPick(s)}>{s}</button>)}
      </div>}
    </div>
  );
}
