/**
 * A gateway under test: stub providers, the egress sentinel and LiteLLM's
 * proxy with a config made from them, started together and stopped together.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Backends, KEY_ENV } from './config';
import { EgressSentinel, startEgressSentinel } from '../../gateway/egress-sentinel';
import { LiteLlm, startLiteLlm } from '../../gateway/litellm-process';
import { startStubProvider } from '../../gateway/stub-providers';

/** How long a test file waits for its gateway in beforeAll (the proxy needs ~20 s on 2 busy cores). */
export const START_TIMEOUT_MS = 150_000;

export interface Gateway extends Backends {
  readonly proxy: LiteLlm;
  readonly sentinel: EgressSentinel;
  /** The caller's key (`general_settings.master_key`). */
  readonly masterKey: string;
  /** The providers' keys, as the proxy's environment holds them. */
  readonly keys: { readonly main: string; readonly fallback: string };
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** The proxy's config, made from the stubs. */
  readonly config: (backends: Backends) => object;
  /** More variables of the proxy. @default none */
  readonly env?: { readonly [name: string]: string };
}

/**
 * Starts the stubs, the sentinel and the proxy.
 * @throws Error with the proxy's log tail when it does not start (everything started is stopped)
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const [main, fallback, sentinel] = await Promise.all([startStubProvider('openai'), startStubProvider('anthropic'), startEgressSentinel()]);
  const closeAll = () => Promise.all([main.close(), fallback.close(), sentinel.close()]);
  const keys = { main: `sk-main-${randomUUID()}`, fallback: `sk-ant-${randomUUID()}` };
  const masterKey = `sk-master-${randomUUID()}`;
  let proxy: LiteLlm;
  try {
    proxy = await startLiteLlm({
      config: options.config({ main, fallback }),
      env: { ...sentinel.env(), [KEY_ENV.main]: keys.main, [KEY_ENV.fallback]: keys.fallback, [KEY_ENV.master]: masterKey, ...options.env },
    });
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    main,
    fallback,
    proxy,
    sentinel,
    masterKey,
    keys,
    stop: async () => {
      await proxy.stop();
      await closeAll();
    },
  };
}

/** Where stopGateway keeps the proxy's log (gitignored). */
export const LOG_DIR = path.join(__dirname, '..', '..', '..', 'test-reports', 'gateway');

/** Stops the gateway and keeps the proxy's log as test-reports/gateway/<name>.litellm.log. */
export async function stopGateway(gateway: Gateway | undefined, name: string): Promise<void> {
  if (!gateway) return;
  fs.mkdirSync(LOG_DIR, { recursive: true });
  fs.writeFileSync(path.join(LOG_DIR, `${name}.litellm.log`), gateway.proxy.logs());
  await gateway.stop();
}

export interface Answer {
  readonly status: number;
  readonly body: any;
  /** Milliseconds from sending to the whole answer. */
  readonly ms: number;
}

/** POSTs JSON to the proxy (or a stub) and reads the JSON answer; bounded by `timeoutMs`. */
export async function postJson(url: string, body: object, headers: { readonly [name: string]: string }, timeoutMs = 60_000): Promise<Answer> {
  const began = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, ms: performance.now() - began };
}

/** An OpenAI-style chat completion through the proxy, as the agent would send it. */
export function chat(gateway: Gateway, model: string, headers: { readonly [name: string]: string } = { authorization: `Bearer ${gateway.masterKey}` }): Promise<Answer> {
  return postJson(`${gateway.proxy.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hello' }] }, headers);
}

/** An Anthropic-style message through the proxy (`x-api-key`, as Anthropic's SDKs send it). */
export function message(gateway: Gateway, model: string): Promise<Answer> {
  return postJson(
    `${gateway.proxy.url}/v1/messages`,
    { model, max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] },
    { 'x-api-key': gateway.masterKey, 'anthropic-version': '2023-06-01' },
  );
}

/** The assistant's text of a chat completion. */
export const chatText = (answer: Answer): string => answer.body?.choices?.[0]?.message?.content;
/** The assistant's text of an Anthropic message. */
export const messageText = (answer: Answer): string => (answer.body?.content ?? []).map((c: any) => c.text).join('');
