/**
 * The harness itself: startLiteLlm fails fast with the proxy's own words on a
 * config it cannot run, stop() leaves nothing behind, and a proxy whose test
 * process died stops by itself (run_litellm.py's watchdog).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RUN_SCRIPT, freePort, startLiteLlm } from '../../gateway/litellm-process';
import { liteLlmVenv, venvPython } from '../../gateway/venv';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const groupAlive = (pid: number): boolean => alive(-pid);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A node process that starts the proxy with its output on pipes, as a jest
 * worker does, prints the proxy's pid and waits: the proxy's owner.
 */
const OWNER_SCRIPT = `
const { spawn } = require('child_process');
const [python, script, config, port] = process.argv.slice(1);
const proxy = spawn(python, [script, '--config', config, '--host', '127.0.0.1', '--port', port], { stdio: ['ignore', 'pipe', 'pipe'] });
proxy.stdout.resume();
proxy.stderr.resume();
process.stdout.write(proxy.pid + '\\n');
setInterval(() => {}, 1000);
`;

async function startOwned(dir: string): Promise<{ owner: number; proxy: number; url: string }> {
  const config = path.join(dir, 'config.yaml');
  fs.writeFileSync(config, 'general_settings:\n  master_key: sk-test\n');
  const port = await freePort();
  const args = ['-e', OWNER_SCRIPT, venvPython(liteLlmVenv()), RUN_SCRIPT, config, String(port)];
  const owner = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '', HOME: dir } });
  const line = await new Promise<string>((resolve, reject) => {
    owner.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim()));
    owner.once('exit', () => reject(new Error('the owner exited before it printed the pid')));
  });
  return { owner: owner.pid!, proxy: Number(line), url: `http://127.0.0.1:${port}` };
}

describe('startLiteLlm', () => {
  test('a config the proxy cannot read fails the start with its log tail, well before the start timeout', async () => {
    const began = Date.now();
    const error = await startLiteLlm({ config: 'model_list: [\n', startTimeoutMs: 90_000 }).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/^LiteLLM exited before it was live \(exit code [1-9]\d*\):\n/);
    expect(error?.message).toMatch(/yaml|YAML/);
    expect(Date.now() - began).toBeLessThan(60_000);
  });

  test('the proxy stops by itself when the process that started it is gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litellm-owner-'));
    let proxy = 0;
    try {
      const started = await startOwned(dir);
      const { owner, url } = started;
      proxy = started.proxy;
      // Live and idle: it prints nothing more, so only its watchdog can notice the owner is gone.
      const live = Date.now() + 90_000;
      while (Date.now() < live && !(await fetch(`${url}/health/liveliness`).then(r => r.ok, () => false))) await sleep(250);
      expect(alive(proxy)).toBe(true);
      process.kill(owner, 'SIGKILL');
      const deadline = Date.now() + 20_000;
      while (alive(proxy) && Date.now() < deadline) await sleep(200);
      expect(alive(proxy)).toBe(false);
    } finally {
      if (proxy && alive(proxy)) process.kill(proxy, 'SIGKILL'); // only when the test failed
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stop() ends the process group and removes the config folder', async () => {
    const proxy = await startLiteLlm({ config: { general_settings: { master_key: 'sk-test' } } });
    expect(groupAlive(proxy.pid)).toBe(true);
    expect(fs.existsSync(proxy.configFile)).toBe(true);
    await proxy.stop();
    expect(groupAlive(proxy.pid)).toBe(false);
    expect(fs.existsSync(proxy.configFile)).toBe(false);
    await proxy.stop(); // idempotent
  });
});
