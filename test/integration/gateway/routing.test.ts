/**
 * What a gateway config does with chat traffic, proven on LiteLLM's real
 * proxy: keys from the proxy's environment, fallback on 500, 429 and
 * timeouts, and both the OpenAI-style and the Anthropic-style endpoints.
 */
import {
  MAIN_TIMEOUT_SECONDS, MODELS, NUM_RETRIES, PROVIDER_MODELS, chatCompletionsBridgeConfig, routingConfig,
} from './config';
import { Gateway, START_TIMEOUT_MS, chat, chatText, message, messageText, startGateway, stopGateway } from './support';

const MAIN_REPLY = 'hello from openai stub';
const FALLBACK_REPLY = 'hello from anthropic stub';
/** Attempts of the main provider per request: the first and NUM_RETRIES retries. */
const ATTEMPTS = 1 + NUM_RETRIES;

describe('gateway routing (router_settings: fallbacks, num_retries; litellm_params: api_key, timeout)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ config: routingConfig });
  }, START_TIMEOUT_MS);
  afterAll(() => stopGateway(gw, 'routing'), 30_000);
  beforeEach(() => {
    gw.main.reset();
    gw.fallback.reset();
  });

  test('(a) a chat completion reaches the main provider with the key from the proxy environment', async () => {
    const answer = await chat(gw, MODELS.main);
    expect(answer.status).toBe(200);
    expect(chatText(answer)).toBe(MAIN_REPLY);
    const [call, ...more] = gw.main.completions();
    expect(more).toHaveLength(0);
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.model).toBe(PROVIDER_MODELS.main);
    // The provider's key from os.environ/..., never the caller's master key.
    expect(call.headers.authorization).toBe(`Bearer ${gw.keys.main}`);
    expect(JSON.stringify(call.headers)).not.toContain(gw.masterKey);
    expect(gw.fallback.requests).toHaveLength(0);
  });

  test('a caller without the master key is refused and nothing reaches a provider', async () => {
    // Any other key would be a virtual key, which lives in the database this proxy has not.
    const wrongKey = await chat(gw, MODELS.main, { authorization: 'Bearer sk-wrong' });
    expect([wrongKey.status, wrongKey.body?.error?.type]).toEqual([400, 'no_db_connection']);
    // No key: refused, though with a 500 (LiteLLM's auth error handler imports
    // `prisma`, which litellm[proxy] does not install; its image has it).
    const noKey = await chat(gw, MODELS.main, {});
    expect(noKey.status).toBeGreaterThanOrEqual(400);
    expect(gw.main.requests).toHaveLength(0);
    expect(gw.fallback.requests).toHaveLength(0);
  });

  test.each([500, 429])('(b, c) main answers %i: retried, then the fallback answers with its own key in x-api-key', async (status) => {
    gw.main.failNext(status, ATTEMPTS);
    const answer = await chat(gw, MODELS.main);
    expect(answer.status).toBe(200);
    expect(chatText(answer)).toBe(FALLBACK_REPLY);
    expect(gw.main.completions().map(r => r.status)).toEqual(Array(ATTEMPTS).fill(status));
    const [call, ...more] = gw.fallback.completions();
    expect(more).toHaveLength(0);
    expect(call.path).toBe('/v1/messages');
    expect(call.model).toBe(PROVIDER_MODELS.fallback);
    expect(call.headers['x-api-key']).toBe(gw.keys.fallback);
    expect(call.headers.authorization).toBeUndefined();
    expect(call.headers['anthropic-version']).toBeDefined();
    process.stdout.write(`gateway: main answering ${status}, the fallback's answer came after ${Math.round(answer.ms)} ms\n`);
  });

  test('(d) main slower than its timeout: the fallback answers, in bounded time', async () => {
    gw.main.delayNext(60_000, ATTEMPTS);
    const answer = await chat(gw, MODELS.main);
    expect(answer.status).toBe(200);
    expect(chatText(answer)).toBe(FALLBACK_REPLY);
    // Each attempt waited the timeout, not the provider's 60 s.
    expect(gw.main.completions()).toHaveLength(ATTEMPTS);
    expect(gw.fallback.completions()).toHaveLength(1);
    expect(answer.ms).toBeGreaterThanOrEqual(ATTEMPTS * MAIN_TIMEOUT_SECONDS * 1000);
    expect(answer.ms).toBeLessThan(ATTEMPTS * MAIN_TIMEOUT_SECONDS * 1000 + 10_000);
    process.stdout.write(`gateway: main timing out (${MAIN_TIMEOUT_SECONDS} s, ${ATTEMPTS} attempts), the fallback's answer came after ${Math.round(answer.ms)} ms\n`);
  });

  test('after the failures the main provider serves again (no cooldown of a single-deployment group)', async () => {
    expect(chatText(await chat(gw, MODELS.main))).toBe(MAIN_REPLY);
    expect(gw.fallback.requests).toHaveLength(0);
  });

  test('(e) /v1/messages to an Anthropic provider passes through in Anthropic\'s format', async () => {
    const answer = await message(gw, MODELS.fallback);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ type: 'message', role: 'assistant' });
    expect(messageText(answer)).toBe(FALLBACK_REPLY);
    const [call] = gw.fallback.completions();
    expect([call.path, call.model, call.headers['x-api-key']]).toEqual(['/v1/messages', PROVIDER_MODELS.fallback, gw.keys.fallback]);
  });

  test('(e) /v1/messages to an OpenAI provider goes to its Responses API and comes back in Anthropic\'s format', async () => {
    const answer = await message(gw, MODELS.main);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ type: 'message', role: 'assistant' });
    expect(messageText(answer)).toBe(MAIN_REPLY);
    const [call] = gw.main.completions();
    expect([call.path, call.model, call.headers.authorization]).toEqual(['/v1/responses', PROVIDER_MODELS.main, `Bearer ${gw.keys.main}`]);
  });

  test('nothing tried to leave loopback', () => {
    expect(gw.sentinel.attempts).toEqual([]);
  });
});

describe('gateway routing (litellm_settings: use_chat_completions_url_for_anthropic_messages, num_retries)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ config: chatCompletionsBridgeConfig });
  }, START_TIMEOUT_MS);
  afterAll(() => stopGateway(gw, 'routing-chat-bridge'), 30_000);
  beforeEach(() => {
    gw.main.reset();
    gw.fallback.reset();
  });

  test('(e) /v1/messages to an OpenAI provider goes to its chat completions instead', async () => {
    const answer = await message(gw, MODELS.main);
    expect(answer.status).toBe(200);
    expect(messageText(answer)).toBe(MAIN_REPLY);
    expect(gw.main.completions().map(r => r.path)).toEqual(['/v1/chat/completions']);
  });

  test('num_retries 0: one attempt of main, then the fallback', async () => {
    gw.main.failNext(500, 2);
    const answer = await chat(gw, MODELS.main);
    expect(chatText(answer)).toBe(FALLBACK_REPLY);
    expect(gw.main.completions().map(r => r.status)).toEqual([500]);
    expect(gw.fallback.completions()).toHaveLength(1);
  });

  test('nothing tried to leave loopback', () => {
    expect(gw.sentinel.attempts).toEqual([]);
  });
});
