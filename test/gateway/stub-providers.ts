/**
 * Stand-ins for the commercial LLM APIs behind the gateway: small HTTP
 * servers on 127.0.0.1 that answer like OpenAI (`POST /v1/chat/completions`,
 * `/chat/completions`, and the Responses API's `/v1/responses`) or like
 * Anthropic (`POST /v1/messages`) with minimal valid bodies, record every request, and can be told to fail
 * (500, 429, ...) or to answer late for the next requests.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

/** The API a stub imitates. */
export type ProviderShape = 'openai' | 'anthropic';

/** One request a stub received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path with query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Headers, names in lowercase (`authorization`, `x-api-key`, ...). */
  readonly headers: http.IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  readonly body: any;
  /** `body.model`. */
  readonly model?: string;
  /** What the stub answered: the status, or 0 when the client went away first. */
  status: number;
}

/** What the stub does with one of the next requests. */
interface Plan {
  readonly status: number;
  readonly delayMs: number;
  readonly headers: { readonly [name: string]: string };
}

export interface StubProvider {
  readonly shape: ProviderShape;
  /** `http://127.0.0.1:<port>`, without a path. */
  readonly url: string;
  /** Every request so far, oldest first. */
  readonly requests: RecordedRequest[];
  /** The requests to the completion route of its shape (not `/v1/models` and the like). */
  completions(): RecordedRequest[];
  /** The next `count` completion requests are answered with `status` and an error body of the shape. */
  failNext(status: number, count?: number, headers?: { readonly [name: string]: string }): void;
  /** The next `count` completion requests are answered (200) after `delayMs` milliseconds. */
  delayNext(delayMs: number, count?: number): void;
  /** Forgets the recorded requests and the plans. */
  reset(): void;
  /** Stops listening and drops open connections (pending delays included). */
  close(): Promise<void>;
}

export interface StubOptions {
  /** The assistant's text in every answer. @default `hello from <shape> stub` */
  readonly reply?: string;
}

const COMPLETION_PATHS: { readonly [shape in ProviderShape]: readonly string[] } = {
  openai: ['/v1/chat/completions', '/chat/completions', '/v1/responses'],
  anthropic: ['/v1/messages'],
};

/** A minimal successful answer of the shape, on `path`, to a request for `model`. */
export function successBody(shape: ProviderShape, path: string, model: string, reply: string): object {
  if (path.split('?')[0] === '/v1/responses') {
    return {
      id: 'resp_stub',
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      model,
      status: 'completed',
      output: [{
        type: 'message',
        id: 'msg_stub',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: reply, annotations: [] }],
      }],
      usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
    };
  }
  if (shape === 'anthropic') {
    return {
      id: 'msg_stub',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: reply }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 4 },
    };
  }
  return {
    id: 'chatcmpl-stub',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
  };
}

/** The error body each API answers with (OpenAI: `error.type`; Anthropic: `type: error`). */
export function errorBody(shape: ProviderShape, status: number): object {
  const message = `stub answers ${status}`;
  if (shape === 'anthropic') {
    const type = status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : 'api_error';
    return { type: 'error', error: { type, message } };
  }
  return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } };
}

function readBody(req: http.IncomingMessage): Promise<any> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined);
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

function send(res: http.ServerResponse, status: number, body: object, headers: { readonly [name: string]: string } = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Starts a stub of `shape` on 127.0.0.1 (a free port).
 * Other routes: `GET /v1/models` answers an empty list; anything else 404.
 */
export async function startStubProvider(shape: ProviderShape, options: StubOptions = {}): Promise<StubProvider> {
  const reply = options.reply ?? `hello from ${shape} stub`;
  const requests: RecordedRequest[] = [];
  let plans: Plan[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const isCompletion = (r: { method: string; path: string }) => r.method === 'POST' && COMPLETION_PATHS[shape].includes(r.path.split('?')[0]);

  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const recorded: RecordedRequest = {
      method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, model: body?.model, status: 0,
    };
    requests.push(recorded);
    const answer = (status: number, payload: object, headers?: { readonly [name: string]: string }) => {
      recorded.status = res.destroyed ? 0 : status;
      send(res, status, payload, headers);
    };
    if (!isCompletion(recorded)) {
      if (req.method === 'GET' && recorded.path.split('?')[0] === '/v1/models') answer(200, { object: 'list', data: [] });
      else answer(404, { error: { message: `stub: no route ${req.method} ${recorded.path}` } });
      return;
    }
    const plan = plans.shift() ?? { status: 200, delayMs: 0, headers: {} };
    const respond = () => (plan.status === 200
      ? answer(200, successBody(shape, recorded.path, recorded.model ?? 'unknown', reply))
      : answer(plan.status, errorBody(shape, plan.status), plan.headers));
    if (plan.delayMs <= 0) return respond();
    const timer = setTimeout(() => {
      timers.delete(timer);
      respond();
    }, plan.delayMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const plan = (p: Plan, count: number) => {
    for (let i = 0; i < count; i++) plans.push(p);
  };
  return {
    shape,
    url: `http://127.0.0.1:${port}`,
    requests,
    completions: () => requests.filter(isCompletion),
    failNext: (status, count = 1, headers = {}) => plan({ status, delayMs: 0, headers }, count),
    delayNext: (delayMs, count = 1) => plan({ status: 200, delayMs, headers: {} }, count),
    reset: () => {
      requests.length = 0;
      plans = [];
    },
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
