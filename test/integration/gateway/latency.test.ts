/**
 * (g) What the gateway adds to a request's time on loopback: the same chat
 * completion sent straight to the stub provider and through the proxy, one
 * after the other. A measurement, printed, not asserted: timings on a shared
 * 2-core machine say nothing reliable about pass or fail.
 */
import { MODELS, routingConfig } from './config';
import { Answer, Gateway, START_TIMEOUT_MS, chat, postJson, startGateway, stopGateway } from './support';

const REQUESTS = 100;
const WARM_UP = 10;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (ms: number): number => Math.round(ms * 100) / 100;

/** The times of `count` requests made one after the other, sorted; every answer must be 200. */
async function timings(count: number, send: () => Promise<Answer>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await send();
    expect(answer.status).toBe(200);
    times.push(answer.ms);
  }
  return times.sort((a, b) => a - b);
}

describe('gateway latency (loopback)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ config: routingConfig });
  }, START_TIMEOUT_MS);
  afterAll(() => stopGateway(gw, 'latency'), 30_000);

  test(`(g) median of ${REQUESTS} requests, straight to the provider and through the proxy`, async () => {
    const direct = () => postJson(
      `${gw.main.url}/v1/chat/completions`,
      { model: 'gpt-stub', messages: [{ role: 'user', content: 'hello' }] },
      { authorization: `Bearer ${gw.keys.main}` },
    );
    const proxied = () => chat(gw, MODELS.main);
    await timings(WARM_UP, direct);
    await timings(WARM_UP, proxied);
    const straight = await timings(REQUESTS, direct);
    const through = await timings(REQUESTS, proxied);
    // Every proxied request reached the provider once: no retries, no fallback.
    expect(gw.main.completions()).toHaveLength(2 * (WARM_UP + REQUESTS));
    expect(gw.fallback.requests).toHaveLength(0);

    const summary = {
      direct: { median: round(percentile(straight, 50)), p90: round(percentile(straight, 90)) },
      proxied: { median: round(percentile(through, 50)), p90: round(percentile(through, 90)) },
      addedMedianMs: round(percentile(through, 50) - percentile(straight, 50)),
    };
    process.stdout.write(`gateway latency over ${REQUESTS} sequential requests (ms): ${JSON.stringify(summary)}\n`);
  }, 300_000);
});
