// Synthesizes the examples into dist/ (or $CDK8S_OUTDIR, as `cdk8s synth` sets it).
import { buildExamplesApp } from './app';

const app = buildExamplesApp();
app.synth();
console.log(`cdk8s-agents examples synthesized into ${app.outdir}/: ${app.charts.map(c => c.node.id + '.k8s.yaml').join(', ')}`);
