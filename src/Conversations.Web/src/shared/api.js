// The one HTTP client of the web apps: every request carries the signed-in key, and a failure becomes an ApiError
// that holds the problem body's title and detail (what the user reads) and the status (what decides a retry).
import { session } from './session.js';

/** A failed request: status 0 means the network, not the server. */
export class ApiError extends Error {
  constructor(status, title, detail, body) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.body = body;
  }
  /** True when trying again may help: the network, a limit, a busy or failing server. */
  get retryable() { return this.status === 0 || this.status === 408 || this.status === 409 || this.status === 429 || this.status >= 500; }
}

/**
 * Sends a request with the session's credentials; returns the Response (any 2xx), throws ApiError otherwise.
 * `headersWithinMs`: a request whose response has not begun by then is given up as the network's failure (status 0):
 * after a phone changes networks a request can land on a pooled connection that died silently and would wait for as
 * long as the operating system does.
 */
export async function request(path, { method = 'GET', body, raw, headers = {}, signal, key, headersWithinMs = 0 } = {}) {
  const auth = key ?? session.key;
  let res;
  let late = null;
  let timer = null;
  let timedOut = false;
  // Kept while a response's body may still be read (aborting the view must stop a stream), removed when there is none:
  // a long-lived signal (one per conversation view) must not gather a listener for every failed request.
  const passAbort = () => late?.abort();
  if (headersWithinMs > 0) {
    late = new AbortController();
    if (signal?.aborted) late.abort();
    signal?.addEventListener('abort', passAbort, { once: true });
    timer = setTimeout(() => { timedOut = true; late.abort(); }, headersWithinMs);
  }
  try {
    res = await fetch(path, {
      method,
      signal: late ? late.signal : signal,
      headers: {
        ...(auth ? { Authorization: `Bearer ${auth}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  } catch (e) {
    signal?.removeEventListener('abort', passAbort);
    if (e.name === 'AbortError' && !timedOut) throw e;
    throw new ApiError(0, 'offline', null, null);
  } finally {
    clearTimeout(timer);
  }
  if (res.ok) return res;
  let problem = null;
  try { problem = await res.json(); } catch { /* not JSON */ }
  signal?.removeEventListener('abort', passAbort);
  const error = new ApiError(res.status, problem?.title, problem?.detail, problem);
  error.retryAfter = res.headers.get('Retry-After'); // when a busy platform asks to be tried again
  if (res.status === 401 && !key) session.expired(error);
  throw error;
}

/** Request options that make a whole-object save fail (412) if the object changed since its version was read. */
export const ifVersion = version => ({ headers: { 'If-Match': `"${version}"` } });

/** GET/POST/PATCH/DELETE returning the parsed JSON body (or null for 204). */
export const api = {
  get: (path, o) => request(path, o).then(json),
  post: (path, body, o) => request(path, { ...o, method: 'POST', body }).then(json),
  patch: (path, body, o) => request(path, { ...o, method: 'PATCH', body }).then(json),
  put: (path, body, o) => request(path, { ...o, method: 'PUT', body }).then(json),
  delete: (path, o) => request(path, { ...o, method: 'DELETE' }).then(json),
};

async function json(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** A stream given up on: nothing arrived for too long (or the caller let go of it); the caller resumes it. */
export class StreamInterrupted extends Error {
  constructor(reason) {
    super(`stream ${reason}`);
    this.name = 'StreamInterrupted';
    this.reason = reason;
  }
}

/**
 * Reads a Server-Sent Events response, calling onEvent(name, data, id) per event. Resolves when the stream ends
 * normally; rejects when the connection is cut (the caller resumes from the last id it saw). A connection can also
 * die without closing (a phone between networks): with silenceMs, a stream that sends no byte for that long is
 * dropped and rejects with StreamInterrupted, as does one whose `interrupt` signal fires.
 */
export async function readEventStream(res, onEvent, { silenceMs = 0, interrupt } = {}) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await readWithin(reader, silenceMs, interrupt);
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message', id = null;
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (!data.length) continue;
      let parsed;
      try { parsed = JSON.parse(data.join('\n')); } catch { parsed = data.join('\n'); }
      onEvent(name, parsed, id);
    }
  }
}

// One read of the body, given up (the connection dropped, so the socket is freed) after silenceMs or on interrupt.
function readWithin(reader, silenceMs, interrupt) {
  if (!silenceMs && !interrupt) return reader.read();
  return new Promise((resolve, reject) => {
    let timer;
    const giveUp = reason => {
      cleanup();
      reader.cancel().catch(() => {});
      reject(new StreamInterrupted(reason));
    };
    const onInterrupt = () => giveUp('interrupted');
    const cleanup = () => { clearTimeout(timer); interrupt?.removeEventListener('abort', onInterrupt); };
    if (interrupt?.aborted) return giveUp('interrupted');
    if (silenceMs) timer = setTimeout(() => giveUp('silent'), silenceMs);
    interrupt?.addEventListener('abort', onInterrupt);
    reader.read().then(r => { cleanup(); resolve(r); }, e => { cleanup(); reject(e); });
  });
}
