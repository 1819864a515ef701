/**
 * Property 2 in the test command: generated overlays over a generated base
 * app give the same objects through `Overlay.applyToFiles` as `kubectl
 * kustomize` on the tree `Overlay.synth` writes (see kustomize-property.ts).
 * Fixed seed; KUSTOMIZE_CASES cases of 1 to 4 overlays each (about 2.5
 * overlays per case, one kubectl run per accepted overlay, 3 at a time).
 */
import { runKustomizeProperty } from './kustomize-property';
import { runConfig } from './support';
import { hasKubectl } from '../support/kustomize';

const KUSTOMIZE_CASES = 500;

test(`${KUSTOMIZE_CASES} generated overlay sets: Overlay.applyToFiles gives what kubectl kustomize builds from the written tree`, async () => {
  const { seed, numRuns } = runConfig(9100, KUSTOMIZE_CASES);
  const tally = await runKustomizeProperty(seed, numRuns);
  process.stdout.write(`${tally.summary('kustomize')}\n`);
  // Without kubectl only the clean-error half runs (hasKubectl says so on stderr; in CI it fails).
  if (hasKubectl()) expect(tally.synthesized).toBeGreaterThan(numRuns * 0.3);
}, 600_000);
