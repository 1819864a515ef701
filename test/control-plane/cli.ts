/**
 * The local control plane as a command (the projen tasks call it):
 *
 *   cli.ts build   build the binaries into the cache (a no-op when cached)
 *   cli.ts up      build if needed, start a plane in the background (stops by
 *                  itself after CONTROL_PLANE_TTL_SECONDS, default 8 hours)
 *                  and print `export KUBECONFIG=<path>` as the last line
 *   cli.ts down    stop it and remove its data
 *   cli.ts test    the integration tests (test/integration/) on a plane of
 *                  their own: jest with the arguments given after `test`
 *
 * `up` and `down` use one plane per user, in <tmp>/cdk8s-agents-control-plane;
 * the tests start their own, so both can run at once.
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { ControlPlaneError } from './control-plane';
import { buildControlPlane, missingToolchain, runningPlane, startControlPlane, stopControlPlane } from './supervisor-client';

const ROOT = path.resolve(__dirname, '..', '..');
const UP_ROOT = path.join(os.tmpdir(), `cdk8s-agents-control-plane-${os.userInfo().uid}`);

function requireToolchain(): void {
  const missing = missingToolchain();
  if (missing) throw new ControlPlaneError('find toolchain', missing);
}

async function up(): Promise<void> {
  const running = runningPlane(UP_ROOT);
  if (running) {
    console.log(`control plane: already running (${running.server}); stop it with: npx projen control-plane:down`);
    console.log(`export KUBECONFIG=${running.kubeconfig}`);
    return;
  }
  await stopControlPlane(UP_ROOT);
  requireToolchain();
  const binDir = buildControlPlane();
  const ttlSeconds = Number(process.env.CONTROL_PLANE_TTL_SECONDS ?? 8 * 3600);
  const state = await startControlPlane({ root: UP_ROOT, binDir, ttlSeconds });
  console.log(`control plane: ${state.server}, nodes ${state.nodeNames.join(', ')}; stops by itself in ${ttlSeconds} s`);
  console.log(`control plane: kubectl of the same version: ${state.kubectl}`);
  console.log(`export KUBECONFIG=${state.kubeconfig}`);
}

async function down(): Promise<void> {
  const failure = await stopControlPlane(UP_ROOT);
  if (failure) console.log(`control plane: it had stopped on its own; its log:\n${failure}`);
  console.log('control plane: stopped, data removed');
}

/**
 * The integration tests. Outside CI a machine without Go (or openssl) skips
 * them and says why; with CI=true that fails the run.
 */
function test(jestArgs: string[]): number {
  const missing = missingToolchain();
  if (missing) {
    if (process.env.CI === 'true') throw new ControlPlaneError('find toolchain', `${missing}; CI=true needs the integration tests`);
    console.log(`integration tests SKIPPED: ${missing}. They need a control plane built from source with Go; install Go 1.26+ to run them.`);
    return 0;
  }
  // Build before jest starts, so the build's minutes are not a test's timeout.
  buildControlPlane();
  const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', 'test/integration/jest.config.json', ...jestArgs], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return jest.status ?? 1;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'build':
      requireToolchain();
      console.log(buildControlPlane());
      return 0;
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'test':
      return test(rest);
    default:
      console.error('usage: cli.ts build | up | down | test [jest arguments]');
      return 2;
  }
}

main().then((code) => process.exit(code), (error) => {
  console.error(error instanceof ControlPlaneError ? error.message : error);
  process.exit(1);
});
