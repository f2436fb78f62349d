/**
 * Test support: a local HTTP server that speaks the providers' wire formats (OpenAI chat
 * completions, Anthropic messages), so provider tests run the real SDK without a network.
 * Not imported by production code.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LlmRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * What the server does with one request: answer with a model's JSON (fixed, or computed from the
 * request like a model reading its prompt), fail, or never answer.
 */
export type LlmReply =
  | { answer: unknown; usage?: { input: number; output: number } }
  | { answerFrom: (request: LlmRequest) => unknown; usage?: { input: number; output: number } }
  | { rawText: string }
  | { status: number; error: string }
  | 'hang';

export interface FakeLlmServer {
  /** `http://127.0.0.1:<port>/v1`, the SDKs' base URL. */
  baseUrl: string;
  requests: LlmRequest[];
  /** Replies in order; the last one repeats. */
  reply(...replies: LlmReply[]): void;
  close(): Promise<void>;
}

function openAiCompletion(model: unknown, text: string, usage = { input: 120, output: 40 }) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: usage.input,
      completion_tokens: usage.output,
      total_tokens: usage.input + usage.output,
    },
  };
}

/** Answers as text, or through the `json` tool when the SDK asked for tool-based JSON. */
function anthropicMessage(
  request: Record<string, unknown>,
  answer: unknown,
  text: string,
  usage = { input: 150, output: 60 },
) {
  const jsonTool =
    Array.isArray(request.tools) && request.tools.some((t: { name?: string }) => t.name === 'json');
  return {
    id: 'msg_test',
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: jsonTool
      ? [{ type: 'tool_use', id: 'toolu_test', name: 'json', input: answer }]
      : [{ type: 'text', text }],
    stop_reason: jsonTool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output },
  };
}

export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const requests: LlmRequest[] = [];
  let replies: LlmReply[] = [{ status: 500, error: 'no reply scripted' }];
  const hanging = new Set<() => void>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const request: LlmRequest = { path: req.url ?? '', headers: req.headers, body };
      requests.push(request);
      const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
      if (reply === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if ('status' in reply) {
        send(reply.status, { error: { message: reply.error, type: 'server_error' } });
        return;
      }
      const answer =
        'rawText' in reply ? {} : 'answerFrom' in reply ? reply.answerFrom(request) : reply.answer;
      const text = 'rawText' in reply ? reply.rawText : JSON.stringify(answer);
      const usage = 'usage' in reply ? reply.usage : undefined;
      if (req.url?.endsWith('/messages')) send(200, anthropicMessage(body, answer, text, usage));
      else send(200, openAiCompletion(body.model, text, usage));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply(...next) {
      replies = next;
    },
    async close() {
      for (const drop of hanging) drop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The user message the SDK sent, whatever the wire format nests it in (string or text parts). */
export function userMessageOf(request: LlmRequest): string {
  const messages = request.body.messages as { role: string; content: unknown }[];
  const content = messages.find((m) => m.role === 'user')?.content;
  if (typeof content === 'string') return content;
  return (content as { type: string; text?: string }[])
    .filter((part) => part.type === 'text')
    .map((part) => part.text ?? '')
    .join('');
}

/** A well-formed answer as the schema wants it. */
export function llmAnswer(sql: string, chart: { type: string; x?: string; y?: string } = { type: 'table' }) {
  return {
    understood: true,
    sql,
    chart: { type: chart.type, x: chart.x ?? null, y: chart.y ?? null },
    explanation: 'Read by the test model.',
    reason: null,
    suggestions: [],
  };
}

/** The environment that points AIDE's provider at `llm` (OpenAI's wire format, a 2 s deadline). */
export function llmEnv(llm: Pick<FakeLlmServer, 'baseUrl'>): Record<string, string> {
  return {
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'gpt-test',
    LLM_BASE_URL: llm.baseUrl,
    LLM_API_KEY: 'sk-test-secret',
    LLM_TIMEOUT_MS: '2000',
  };
}

/**
 * For tests that check what one call to the model does: no answer from the cache and no token
 * bucket running dry (both have their own tests in aide-around.http.test.ts).
 */
export const everyCallReachesTheModel: Record<string, string> = {
  AIDE_CACHE_TTL_SECONDS: '0',
  LLM_RATE_BURST: '100000',
  AIDE_RATE_BURST: '100000',
};
