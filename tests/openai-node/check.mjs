// Drives the platform's OpenAI-compatible routes with the official `openai` npm client and prints one JSON line
// with what the client saw. Conversations.Routing.IntegrationTests runs it (OPENAI_BASE_URL, OPENAI_API_KEY,
// QUESTION) and checks the output; run `npm ci` in this folder first.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });
const question = process.env.QUESTION ?? 'What is the parental leave policy?';
const messages = [{ role: 'user', content: question }];

// Not streamed: the completion object, and the conversation the platform created for it.
const { data: completion, response } = await client.chat.completions
  .create({ model: 'auto', messages })
  .withResponse();
const conversationId = response.headers.get('x-conversation-id');

// Streamed in the same conversation, with usage asked for.
const stream = await client.chat.completions.create(
  { model: 'auto', messages: [{ role: 'user', content: `Once more: ${question}` }], stream: true, stream_options: { include_usage: true } },
  { headers: { 'X-Conversation-Id': conversationId } },
);
let text = '';
let role = null;
let finishReason = null;
let usage = null;
let citations = [];
let chunks = 0;
let usageChunkChoices = null;
for await (const chunk of stream) {
  chunks++;
  if (chunk.citations) citations = citations.concat(chunk.citations);
  if (chunk.usage) {
    usage = chunk.usage;
    usageChunkChoices = chunk.choices.length;
  }
  for (const choice of chunk.choices) {
    if (choice.delta?.role) role = role ?? choice.delta.role;
    if (choice.delta?.content) text += choice.delta.content;
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
}

// An unknown model: the client raises OpenAI's NotFoundError.
let notFound = null;
try {
  await client.chat.completions.create({ model: 'no-such-model', messages });
} catch (e) {
  notFound = { name: e.constructor.name, status: e.status, code: e.code, type: e.type };
}

const models = await client.models.list();
const modelIds = [];
for await (const m of models) modelIds.push(m.id);

console.log(JSON.stringify({
  conversationId,
  plain: {
    object: completion.object,
    content: completion.choices[0].message.content,
    finishReason: completion.choices[0].finish_reason,
    usage: completion.usage,
    citations: completion.citations ?? [],
  },
  streamed: { role, text, finishReason, usage, usageChunkChoices, citations, chunks },
  notFound,
  modelIds,
}));
