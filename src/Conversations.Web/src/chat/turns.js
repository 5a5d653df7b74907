// One chat turn over the API: the POST streams the answer; when the connection drops before the turn's last event,
// the turn's events route resumes after the last event id seen (the turn goes on on the server meanwhile). A question
// that may never have arrived is sent again under the same turn id, which the API treats as the same turn.
import { ApiError, readEventStream, request } from '../shared/api.js';

const maxReconnects = 8;

// A send answered 503 storage_unavailable: the platform could not save the question, so there is no turn to resume.
// The same turn is sent again after Retry-After, a few times, before the turn fails.
const maxUnsavedSends = 3;
const unsaved = e => e instanceof ApiError && e.status === 503 && e.body?.code === 'storage_unavailable';

// The server writes on a live stream at least every heartbeat (an event, or its 'waiting' heartbeat while the model
// is quiet; Chat:HeartbeatSeconds, 15 s unless /v1/me's heartbeatSeconds says otherwise) and closes it after the
// turn's last event. Three missed heartbeats mean the connection died without closing: it is dropped and resumed
// like a cut one (a platform with heartbeats off still gets the 45 s default: a needless resume costs nothing).
export const silenceLimitMs = heartbeatSeconds => 3_000 * (heartbeatSeconds > 0 ? heartbeatSeconds : 15);

// The longest question the platform takes by default, in UTF-16 units as it counts them (Chat:MaxMessageChars); the
// page uses /v1/me's maxMessageChars when it has it.
export const maxMessageChars = 16_000;

/**
 * Runs a turn to its end, calling onEvent(name, data) per event; rejects with an ApiError the caller shows. `control`,
 * when given, gets resume(): drops the current connection and follows the turn again from the last event seen.
 * `silenceMs`: how long a connection may stay silent before it is taken for dead (silenceLimitMs of the heartbeat).
 */
// The platform answers a resume (and a Stop) at once: one that has not begun after this long went out on a dead
// connection, and is sent again on another.
const resumeHeadersMs = 10_000;

// A send's answer begins once the question is stored (after its input check): one that has not begun after this long
// went out on a dead connection. The turn is then looked up, and sent again (same turn id) if it never arrived.
const sendHeadersMs = 30_000;

export async function runTurn({ conversationId, text, turnId, imageIds, replaces, signal, onEvent, onReconnecting, resumeOnly = false, control, silenceMs = silenceLimitMs() }) {
  const base = `/v1/conversations/${encodeURIComponent(conversationId)}`;
  let lastId = null;
  let connection = null; // interrupts the stream being read
  if (control) control.resume = () => connection?.abort();
  const read = res => {
    connection = new AbortController();
    return readEventStream(res, handle, { silenceMs, interrupt: connection.signal });
  };
  let ended = false;
  let accepted = false;
  let heard = false; // the connection being read delivered an event
  const handle = (name, data, id) => {
    if (name === 'error' && data?.code === 'stream_failed') return; // our side broke: resume below
    heard = true;
    if (id) lastId = id;
    if (name === 'done' || name === 'error') ended = true;
    onEvent(name, data);
    // The turn's last event is in: stop reading, so a connection that dies before its closing bytes does not keep the
    // page busy (and Stop showing) until the silence limit.
    if (ended) connection?.abort();
  };
  const send = async () => {
    const body = { text, turnId };
    if (imageIds?.length) body.imageIds = imageIds;
    if (replaces) body.replaces = replaces; // regenerate / edit: the last turn this one takes the place of
    let res;
    for (let tries = 1; !res; tries++) {
      try {
        res = await request(`${base}/messages`, { method: 'POST', body, signal, headersWithinMs: sendHeadersMs });
      } catch (e) {
        if (!unsaved(e) || tries >= maxUnsavedSends) throw e;
        await pause(retryAfterMs(e), signal);
      }
    }
    accepted = true;
    onReconnecting?.(false);
    await read(res);
  };

  if (resumeOnly) accepted = true; // a turn found running when the page opened: follow it, never send it again
  else {
    try {
      await send();
    } catch (e) {
      if (!resumable(e, signal)) throw e;
    }
  }
  for (let attempt = resumeOnly ? -1 : 0; !ended; attempt++) {
    // Only failures in a row count: a connection that delivered an event starts the count and the backoff again.
    if (heard) attempt = 0;
    heard = false;
    if (attempt >= maxReconnects) throw new ApiError(0, 'connection', null, null);
    if (attempt >= 0) {
      onReconnecting?.(true);
      await pause(Math.min(400 * 2 ** attempt, 6000), signal);
    }
    try {
      const res = await request(`${base}/turns/${encodeURIComponent(turnId)}/events`, {
        headers: lastId ? { 'Last-Event-ID': lastId } : {}, signal, headersWithinMs: resumeHeadersMs,
      });
      accepted = true;
      onReconnecting?.(false);
      await read(res);
    } catch (e) {
      // 404: the platform does not know the turn yet, so the question may never have arrived and is sent again; one
      // with code not_found says the conversation itself was deleted, which takes no question.
      if (e instanceof ApiError && e.status === 404 && !accepted && e.body?.code !== 'not_found') {
        try { await send(); } catch (again) { if (!resumable(again, signal)) throw again; }
      } else if (accepted && limited(e)) {
        // A limit in front of the stream (the key's requests a minute, an address's failed keys) while following a
        // stored turn: the turn goes on on the server, so wait as told and follow it again (the attempts stay bounded).
        await pause(retryAfterMs(e), signal);
      } else if (!resumable(e, signal)) throw e;
    }
  }
  onReconnecting?.(false);
  if (control) control.resume = () => {}; // the turn is over: nothing to follow again
}

/** Stores an image for the next message (the raw bytes, typed by the file); resolves to its id. */
export async function uploadImage(file) {
  const res = await request('/v1/images', { method: 'POST', raw: file, headers: { 'Content-Type': file.type || 'application/octet-stream' } });
  return (await res.json()).imageId;
}

/** Asks the server to stop the turn; the stream then ends with the stopped answer. */
export function cancelTurn(conversationId, turnId) {
  return request(`/v1/conversations/${encodeURIComponent(conversationId)}/turns/${encodeURIComponent(turnId)}/cancel`, { method: 'POST', headersWithinMs: resumeHeadersMs });
}

// A cut connection or a failing server may heal; a refusal, a limit or a bad request will not by reconnecting, and a
// question the platform did not save has no turn to reconnect to (send() has sent it again already).
function resumable(e, signal) {
  if (signal?.aborted || e?.name === 'AbortError' || unsaved(e)) return false;
  if (e instanceof ApiError) return e.status === 0 || e.status >= 500;
  return true; // the body's reader failed: the connection dropped mid-stream
}

// Too many requests or a request timeout: refusals of this request, not of the turn, that pass with time.
const limited = e => e instanceof ApiError && (e.status === 429 || e.status === 408);

// Retry-After (seconds, or a date) as a wait between 1 and 30 s; 5 s when it says nothing usable.
function retryAfterMs(e) {
  const header = e.retryAfter;
  const ms = header == null ? NaN : /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 1000), 30_000) : 5000;
}

// Waits, and while the browser says it is offline, waits for it to come back.
function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    // Every listener goes with the pause, however it ends: the signal lives as long as the conversation view.
    const cleanup = () => { clearTimeout(timer); window.removeEventListener('online', early); signal?.removeEventListener('abort', aborted); };
    const done = () => { cleanup(); resolve(); };
    const early = () => done();
    const aborted = () => { cleanup(); reject(new DOMException('aborted', 'AbortError')); };
    const timer = setTimeout(() => (navigator.onLine ? done() : null), ms);
    window.addEventListener('online', early);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** A new turn id: chosen by the client, so a retry or a resume names the same turn. */
export const newTurnId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join(''); // works on plain http too
