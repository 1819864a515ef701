/**
 * Stops the integration tests' control plane (jest globalTeardown): every
 * process stopped, its data removed. If the plane had stopped on its own (a
 * component crashed), its log is printed and the run fails.
 */
import { stopControlPlane } from '../control-plane/supervisor-client';

export default async function globalTeardown(): Promise<void> {
  const root = process.env.CDK8S_AGENTS_CONTROL_PLANE_ROOT;
  if (!root) return;
  const failure = await stopControlPlane(root);
  if (failure) throw new Error(`the control plane stopped during the tests:\n${failure}`);
}
