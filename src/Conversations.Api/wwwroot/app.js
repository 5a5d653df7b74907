// A minimal client of the /v1 API: keys, conversations, and the streamed turn over fetch + SSE parsing. A cut stream
// is resumed from the last event id on the turn's events route, a few times with backoff.
const $ = id => document.getElementById(id);
let apiKey = sessionStorage.getItem('apiKey') || '';
let current = null;

async function api(path, options = {}) {
  const res = await fetch(path, {
    ...options,
    headers: { 'Authorization': `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...(options.headers || {}) },
  });
  if (!res.ok && res.status !== 204) {
    let detail = res.statusText;
    try { detail = (await res.json()).detail || detail; } catch { /* not JSON */ }
    throw new Error(`${res.status}: ${detail}`);
  }
  return res;
}

function addMessage(role, text, meta) {
  const div = document.createElement('div');
  div.className = `msg ${role}`;
  div.textContent = text;
  if (meta) { const m = document.createElement('div'); m.className = 'meta'; m.textContent = meta; div.appendChild(m); }
  $('messages').appendChild(div);
  $('messages').scrollTop = $('messages').scrollHeight;
  return div;
}

async function loadConversations() {
  const res = await api('/v1/conversations?limit=50');
  const page = await res.json();
  const list = $('conversations');
  list.innerHTML = '';
  for (const c of page.conversations) {
    const li = document.createElement('li');
    li.textContent = c.title;
    li.dataset.id = c.conversationId;
    li.className = c.conversationId === current ? 'active' : '';
    li.onclick = () => openConversation(c.conversationId);
    list.appendChild(li);
  }
}

async function openConversation(id) {
  current = id;
  $('messages').innerHTML = '';
  const res = await api(`/v1/conversations/${id}?limit=100`);
  const data = await res.json();
  for (const m of data.messages) {
    addMessage(m.role, m.content || `(${m.status})`, m.status !== 'complete' ? m.status : '');
    for (const c of m.citations || []) addMessage('assistant', `Source: ${c.documentTitle} #${c.chunkIndex}`, `score ${c.score.toFixed(3)}`);
  }
  $('message').disabled = $('send').disabled = false;
  await loadConversations();
}

async function newConversation() {
  const res = await api('/v1/conversations', { method: 'POST', body: JSON.stringify({ title: new Date().toLocaleString() }) });
  const c = await res.json();
  await openConversation(c.conversationId);
}

// Reads one SSE response, handing each event to onEvent; returns the last event id seen and whether the turn ended.
async function readEvents(res, onEvent, lastId) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
        const name = (block.match(/^event: (.*)$/m) || [])[1];
        const id = (block.match(/^id: (.*)$/m) || [])[1];
        const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || '{}');
        if (name === 'error' && data.code === 'stream_failed') continue; // resumable: reconnect below
        if (id) lastId = id;
        onEvent(name, data);
        ended ||= name === 'done' || name === 'error';
      }
    }
  } catch { /* the connection was cut: resume from lastId */ }
  return { lastId, ended };
}

async function send(text) {
  addMessage('user', text);
  const answer = addMessage('assistant', '');
  $('send').disabled = true;
  $('status').textContent = 'Sending…';
  const conversation = current;
  // The turn's id is chosen here, so a retry or a resume names the same turn.
  const turnId = crypto.randomUUID();
  const onEvent = (name, data) => {
    if (name === 'progress') $('status').textContent = data.message;
    else if (name === 'delta') answer.firstChild ? answer.firstChild.textContent += data.text : answer.textContent += data.text;
    else if (name === 'citation') addMessage('assistant', `Source: ${data.documentTitle} #${data.chunkIndex}`, `score ${data.score.toFixed(3)}`);
    else if (name === 'done') $('status').textContent = `Done · ${data.model} · ${data.usage.promptTokens} prompt / ${data.usage.completionTokens} completion tokens`;
    else if (name === 'error') { answer.className = 'msg error'; answer.textContent += (answer.textContent ? '\n' : '') + data.message; $('status').textContent = ''; }
  };
  try {
    const res = await api(`/v1/conversations/${conversation}/messages`, { method: 'POST', body: JSON.stringify({ text, turnId }) });
    let { lastId, ended } = await readEvents(res, onEvent, null);
    for (let attempt = 0; !ended && attempt < 5; attempt++) {
      $('status').textContent = 'Connection lost; resuming…';
      await new Promise(r => setTimeout(r, 250 * 2 ** attempt));
      try {
        const headers = lastId ? { 'Last-Event-ID': lastId } : {};
        const again = await api(`/v1/conversations/${conversation}/turns/${turnId}/events`, { headers });
        ({ lastId, ended } = await readEvents(again, onEvent, lastId));
      } catch { /* still offline: try again */ }
    }
    if (!ended) throw new Error('The connection was lost. Reopen the conversation to see the answer.');
  } catch (e) {
    answer.className = 'msg error'; answer.textContent = e.message;
  } finally {
    $('send').disabled = false;
    loadConversations();
  }
}

$('key-form').onsubmit = async e => {
  e.preventDefault();
  apiKey = $('api-key').value.trim();
  sessionStorage.setItem('apiKey', apiKey);
  try { await loadConversations(); $('new-conversation').disabled = false; $('status').textContent = 'Connected.'; }
  catch (err) { $('status').textContent = err.message; }
};
$('new-conversation').onclick = () => newConversation().catch(err => $('status').textContent = err.message);
$('message-form').onsubmit = e => {
  e.preventDefault();
  const text = $('message').value.trim();
  if (!text || !current) return;
  $('message').value = '';
  send(text);
};
if (apiKey) { $('api-key').value = apiKey; $('key-form').requestSubmit(); }
