/**
 * The harness itself: startLiteLlm fails fast with the proxy's own words on a
 * config it cannot run, and stop() leaves nothing behind.
 */
import * as fs from 'fs';
import { startLiteLlm } from '../../gateway/litellm-process';

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startLiteLlm', () => {
  test('a config the proxy cannot read fails the start with its log tail, well before the start timeout', async () => {
    const began = Date.now();
    const error = await startLiteLlm({ config: 'model_list: [\n', startTimeoutMs: 90_000 }).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/^LiteLLM exited before it was live \(exit code [1-9]\d*\):\n/);
    expect(error?.message).toMatch(/yaml|YAML/);
    expect(Date.now() - began).toBeLessThan(60_000);
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
