/**
 * The gateway exactly as the library renders it, on LiteLLM's real proxy: an
 * AgentPod's `<name>-tools` ConfigMap (config.yaml and the gateway-settings.yaml
 * it includes) and its sidecar's variables (the secretKeyRef ones given the
 * stub providers' keys), the proxy started with the sidecar's own command
 * line, and its probes run as the kubelet would run them in the container.
 * The agent calls it as its SDKs would, from the agent container's variables.
 */
import { spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { RenderedGateway, resolvedEnv, startRenderedGateway } from './rendered-gateway';
import { postJson } from './support';
import { AgentPod, AgentSource, LlmProvider, ToolSidecar } from '../../../src';
import { gatewayCommand } from '../../../src/agent/gateway-sidecar';
import { freePort } from '../../gateway/litellm-process';
import { StubProvider, startStubProvider } from '../../gateway/stub-providers';
import { liteLlmVenv } from '../../gateway/venv';

const TIMEOUT_SECONDS = 3;
const MAX_RETRIES = 1;
const START_MS = 150_000;

interface Rendered {
  readonly files: { [name: string]: string };
  readonly sidecar: any;
  readonly agentEnv: { [name: string]: string };
}

/** The agent, its providers pointed at the stubs, synthesized; what the sidecar and agent containers get. */
function render(main: StubProvider, fallback: StubProvider, port: number, required = ['python3']): Rendered {
  const chart = Testing.chart();
  new AgentPod(chart, 'agent', {
    source: AgentSource.image('registry.example.com/agent:1.0'),
    networkPolicy: { enabled: false }, // the stubs are on loopback, which an egress rule may not name
    toolSidecar: new ToolSidecar({ port, required, requestTimeout: Duration.seconds(TIMEOUT_SECONDS), maxRetries: MAX_RETRIES }),
    llmProviders: [
      LlmProvider.openai({ name: 'main-llm', model: 'gpt-stub', endpoint: `${main.url}/v1`, credentials: { secretName: 'openai' } }),
      LlmProvider.anthropic({ name: 'backup-llm', model: 'claude-stub', endpoint: fallback.url, credentials: { secretName: 'anthropic' } }),
    ],
  });
  const objects = Testing.synth(chart);
  const deployment = objects.find(o => o.kind === 'Deployment');
  const containers = deployment.spec.template.spec.containers;
  const sidecar = containers.find((c: any) => c.name === 'tool-manager');
  const agent = containers.find((c: any) => c.name === 'agent');
  const files = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'agent-tools').data;
  const agentEnv = Object.fromEntries((agent.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
  return { files, sidecar, agentEnv };
}

/** Runs a rendered `/bin/sh -c` command with the venv first on PATH (its python3 and litellm stand in for the image's). */
function shellEnv(venvBin: string, extra: { [name: string]: string } = {}): NodeJS.ProcessEnv {
  return { PATH: `${venvBin}:/usr/bin:/bin`, HOME: os.tmpdir(), ...extra };
}

describe('the rendered gateway on the real proxy', () => {
  let main: StubProvider;
  let fallback: StubProvider;
  let rendered: Rendered;
  let keys: { openai: string; anthropic: string };
  let url: string;
  let venvBin: string;
  let configDir: string;
  let proxy: RenderedGateway | undefined;

  beforeAll(async () => {
    venvBin = path.join(liteLlmVenv(), 'venv', 'bin');
    [main, fallback] = await Promise.all([startStubProvider('openai'), startStubProvider('anthropic')]);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    rendered = render(main, fallback, port);
    keys = { openai: `sk-main-${randomUUID()}`, anthropic: `sk-ant-${randomUUID()}` };
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rendered-gateway-'));
    const secrets = { openai: { 'api-key': keys.openai }, anthropic: { 'api-key': keys.anthropic } };
    const env = shellEnv(venvBin, resolvedEnv(rendered.sidecar, secrets));
    proxy = await startRenderedGateway({ sidecar: rendered.sidecar, files: rendered.files, configDir, env, url, timeoutMs: START_MS - 10_000 });
  }, START_MS);

  afterAll(async () => {
    proxy?.stop();
    await Promise.all([main?.close(), fallback?.close()]);
    if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
  }, 30_000);

  beforeEach(() => {
    main.reset();
    fallback.reset();
  });

  const chat = () => postJson(`${rendered.agentEnv.OPENAI_BASE_URL.replace(/^http:\/\/127\.0\.0\.1:\d+/, url)}/chat/completions`,
    { model: rendered.agentEnv.LLM_MODEL, messages: [{ role: 'user', content: 'hello' }] }, {});

  test('the agent\'s OPENAI_BASE_URL and LLM_MODEL reach the main provider with the key of its Secret; the agent holds no key', async () => {
    expect(rendered.agentEnv.OPENAI_BASE_URL).toBe(`${url}/v1`);
    const answer = await chat();
    expect(answer.status).toBe(200);
    const [call, ...more] = main.completions();
    expect(more).toEqual([]);
    expect([call.model, call.headers.authorization]).toEqual(['gpt-stub', `Bearer ${keys.openai}`]);
    expect(fallback.requests).toEqual([]);
    expect(JSON.stringify(rendered.agentEnv)).not.toMatch(/sk-/);
    expect(JSON.stringify(rendered.files)).not.toContain(keys.openai);
  });

  test.each([500, 429])('main answers %i: retried maxRetries times, then the fallback answers with its own key', async (status) => {
    main.failNext(status, 1 + MAX_RETRIES);
    const answer = await chat();
    expect(answer.status).toBe(200);
    expect(main.completions().map(r => r.status)).toEqual(Array(1 + MAX_RETRIES).fill(status));
    const [call] = fallback.completions();
    expect([call.model, call.headers['x-api-key']]).toEqual(['claude-stub', keys.anthropic]);
  });

  test('main slower than requestTimeout: the fallback answers, within the configured bound', async () => {
    main.delayNext((TIMEOUT_SECONDS + 5) * 1000, 1 + MAX_RETRIES);
    const answer = await chat();
    expect(answer.status).toBe(200);
    expect(fallback.completions()).toHaveLength(1);
    // Each attempt on main ends at the timeout, not at the stub's delay.
    expect(answer.ms).toBeLessThan((1 + MAX_RETRIES) * (TIMEOUT_SECONDS + 3) * 1000);
  });

  test('an Anthropic SDK at ANTHROPIC_BASE_URL reaches the same models (the OpenAI one through its chat completions)', async () => {
    const base = rendered.agentEnv.ANTHROPIC_BASE_URL.replace(/^http:\/\/127\.0\.0\.1:\d+/, url);
    const answer = await postJson(`${base}/v1/messages`,
      { model: rendered.agentEnv.LLM_MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'hello' }] }, { 'anthropic-version': '2023-06-01' });
    expect(answer.status).toBe(200);
    expect(main.completions().map(r => r.path)).toEqual(['/v1/chat/completions']);
  });

  test('the readiness probe passes with every required tool and names a missing one; liveness passes', () => {
    const run = (command: string[], extraPath = '') => spawnSync(command[0], command.slice(1), {
      env: shellEnv(venvBin + extraPath), encoding: 'utf8', timeout: 30_000,
    });
    expect(run(rendered.sidecar.livenessProbe.exec.command).status).toBe(0);
    expect(run(rendered.sidecar.readinessProbe.exec.command).status).toBe(0);
    // The same sidecar requiring a tool this machine has not.
    const missing = render(main, fallback, Number(new URL(url).port), ['python3', 'no-such-tool']);
    const result = run(missing.sidecar.readinessProbe.exec.command);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("required tool 'no-such-tool' is not on PATH");
  });

  test('the start command logs each missing required tool before it starts the proxy', () => {
    // Without litellm on PATH the command stops at `exec litellm`, after its check.
    const [shell, ...args] = gatewayCommand(1, ['python3', 'no-such-tool']);
    const result = spawnSync(shell, args, { env: shellEnv('/nonexistent'), encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toContain("tool-manager: required tool 'no-such-tool' is not on PATH");
    expect(result.stderr).not.toContain("required tool 'python3'"); // on this machine's PATH
    expect(result.stderr).toMatch(/exec: litellm: not found/); // the check came first
  });
});
