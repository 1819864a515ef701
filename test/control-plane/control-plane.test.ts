/**
 * The control plane's tooling without a plane (unit tests): what the
 * integration test command does on a machine without Go, in and out of CI,
 * and how a start that cannot succeed names its step.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ControlPlane, ControlPlaneError } from './control-plane';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `cli.ts test` with a PATH that holds node and openssl but no Go. */
function integrationTestsWithoutGo(ci: boolean): { status: number | null; output: string } {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-no-go-'));
  try {
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register', 'test/control-plane/cli.ts', 'test'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        HOME: process.env.HOME,
        PATH: bin,
        TS_NODE_PROJECT: 'test/tsconfig.json',
        TS_NODE_TRANSPILE_ONLY: 'true',
        ...(ci ? { CI: 'true' } : {}),
      },
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
}

test('without Go, the integration tests are skipped outside CI, saying why', () => {
  const run = integrationTestsWithoutGo(false);
  expect(run.output).toContain('integration tests SKIPPED: no Go toolchain on PATH');
  expect(run.status).toBe(0);
});

test('without Go and with CI=true, the run fails naming the step', () => {
  const run = integrationTestsWithoutGo(true);
  expect(run.output).toContain("control plane: step 'find toolchain' failed: no Go toolchain on PATH");
  expect(run.output).toContain('CI=true needs the integration tests');
  expect(run.status).toBe(1);
});

test('a plane whose binaries are missing fails at the step that finds them, and leaves no folder', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-plane-')), 'plane');
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-bin-'));
  try {
    const error = await ControlPlane.start({ binDir: empty, dir }).then(() => undefined, (e) => e);
    expect(error).toBeInstanceOf(ControlPlaneError);
    expect(error.step).toBe('find binaries');
    expect(error.message).toContain(`${path.join(empty, 'etcd')} is missing (run test/control-plane/build.sh)`);
    expect(fs.existsSync(dir)).toBe(false);
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
