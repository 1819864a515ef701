// Synthesizes the examples into dist/ (or $CDK8S_OUTDIR, as `cdk8s synth` sets it):
// one folder per environment (dist/dev, dist/staging, dist/prod) and the
// same overlays as a kustomize tree (dist/kustomize).
import * as path from 'path';
import { Overlay } from '../src';
import { buildExamplesApp } from './app';
import { buildEnvironmentOverlays } from './overlays';

const app = buildExamplesApp();
const overlays = buildEnvironmentOverlays();
const kustomizeOutdir = path.join(app.outdir, 'kustomize');
Overlay.synth(app, overlays, { kustomizeOutdir });
console.log(`cdk8s-agents examples synthesized into ${app.outdir}/: ${overlays.map(o => o.name + '/').join(', ')} `
  + `and the kustomize tree ${kustomizeOutdir}/ (kubectl kustomize ${kustomizeOutdir}/overlays/<env>)`);
