import { StubProvider, startStubProvider } from './stub-providers';

const post = (url: string, body: object, headers: { [k: string]: string } = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('stub providers', () => {
  const stubs: StubProvider[] = [];
  afterAll(async () => {
    await Promise.all(stubs.map(s => s.close()));
  });
  const start = async (...args: Parameters<typeof startStubProvider>) => {
    const stub = await startStubProvider(...args);
    stubs.push(stub);
    return stub;
  };

  test('the OpenAI-shaped stub answers a chat completion on both routes and records the key', async () => {
    const stub = await start('openai', { reply: 'hi' });
    expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ['/v1/chat/completions', '/chat/completions']) {
      const res = await post(`${stub.url}${path}`, { model: 'm1', messages: [] }, { authorization: 'Bearer k1' });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ object: 'chat.completion', model: 'm1', choices: [{ message: { role: 'assistant', content: 'hi' } }] });
    }
    expect(stub.completions().map(r => [r.path, r.model, r.headers.authorization, r.status])).toEqual([
      ['/v1/chat/completions', 'm1', 'Bearer k1', 200],
      ['/chat/completions', 'm1', 'Bearer k1', 200],
    ]);
  });

  test('the OpenAI-shaped stub answers the Responses API too', async () => {
    const stub = await start('openai', { reply: 'r' });
    const res = await post(`${stub.url}/v1/responses`, { model: 'm2', input: 'hi' });
    expect(await res.json()).toMatchObject({ object: 'response', status: 'completed', model: 'm2', output: [{ type: 'message', content: [{ type: 'output_text', text: 'r' }] }] });
    expect(stub.completions().map(r => r.path)).toEqual(['/v1/responses']);
  });

  test('the Anthropic-shaped stub answers /v1/messages and records x-api-key', async () => {
    const stub = await start('anthropic');
    const res = await post(`${stub.url}/v1/messages`, { model: 'c1', max_tokens: 5, messages: [] }, { 'x-api-key': 'k2' });
    expect(await res.json()).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'hello from anthropic stub' }] });
    expect(stub.completions()[0].headers['x-api-key']).toBe('k2');
    // The other shape's route is not a completion here.
    expect((await post(`${stub.url}/v1/chat/completions`, {})).status).toBe(404);
    expect(stub.completions()).toHaveLength(1);
  });

  test('failNext and delayNext apply to the next completions only, in order', async () => {
    const stub = await start('openai');
    stub.failNext(500);
    stub.failNext(429, 1, { 'retry-after': '0' });
    stub.delayNext(300);
    const first = await post(`${stub.url}/v1/chat/completions`, { model: 'm' });
    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ error: { type: 'server_error' } });
    const second = await post(`${stub.url}/v1/chat/completions`, { model: 'm' });
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, '0']);
    const began = Date.now();
    expect((await post(`${stub.url}/v1/chat/completions`, { model: 'm' })).status).toBe(200);
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
    expect((await post(`${stub.url}/v1/chat/completions`, { model: 'm' })).status).toBe(200);
    expect(stub.completions().map(r => r.status)).toEqual([500, 429, 200, 200]);
    stub.reset();
    expect(stub.requests).toHaveLength(0);
  });

  test('close drops a request still waiting on a delay', async () => {
    const stub = await start('anthropic');
    stub.delayNext(60_000);
    const pending = post(`${stub.url}/v1/messages`, { model: 'c' }).then(() => 'answered', () => 'dropped');
    const deadline = Date.now() + 5000;
    while (stub.requests.length === 0 && Date.now() < deadline) await new Promise(r => setTimeout(r, 10));
    expect(stub.requests).toHaveLength(1);
    await stub.close();
    expect(await pending).toBe('dropped');
  });
});
