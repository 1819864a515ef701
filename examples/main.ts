// Synthesizes the two example apps into dist/ (or $CDK8S_OUTDIR, as `cdk8s synth` sets it):
// - dist/gitops/: the agents as AgentPods, one folder per environment (dev, staging, prod)
//   and the same overlays as a kustomize tree (dist/gitops/kustomize);
// - dist/operator/: the AgentType CRD and the operator, then the agents as AgentTypes.
// Apply one of the two, never both: they declare the same agents.
import * as path from 'path';
import { Overlay } from '../src';
import { buildGitOpsApp } from './gitops';
import { buildOperatorApp } from './operator';
import { buildEnvironmentOverlays } from './overlays';

const root = process.env.CDK8S_OUTDIR ?? 'dist';

const gitops = buildGitOpsApp({ outdir: path.join(root, 'gitops') });
const overlays = buildEnvironmentOverlays();
const kustomizeOutdir = path.join(gitops.outdir, 'kustomize');
Overlay.synth(gitops, overlays, { kustomizeOutdir });

const operator = buildOperatorApp({ outdir: path.join(root, 'operator') });
operator.synth();

console.log(`cdk8s-agents examples synthesized: GitOps into ${gitops.outdir}/ (${overlays.map(o => o.name + '/').join(', ')} `
  + `and the kustomize tree ${kustomizeOutdir}/), operator into ${operator.outdir}/`);
