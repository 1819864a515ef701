/**
 * Starts one control plane for the integration tests (jest globalSetup): the
 * binaries from the cache (built if needed), a plane of its own in a temporary
 * folder, owned by this jest process so it stops even if jest is killed.
 * Its state reaches the tests as CDK8S_AGENTS_CONTROL_PLANE (JSON).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildControlPlane, startControlPlane } from '../control-plane/supervisor-client';

export default async function globalSetup(): Promise<void> {
  const binDir = buildControlPlane();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-integration-'));
  process.env.CDK8S_AGENTS_CONTROL_PLANE_ROOT = root;
  const started = Date.now();
  const state = await startControlPlane({ root, binDir, owner: process.pid, nodes: 2 });
  process.env.CDK8S_AGENTS_CONTROL_PLANE = JSON.stringify(state);
  process.stdout.write(`\ncontrol plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${state.server}\n`);
}
