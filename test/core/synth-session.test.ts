/**
 * Synth sessions (src/core/synth-session.ts): a value computed once per
 * `app.synth()` / `app.synthYaml()` is shared within that synth only; and
 * what that means for the LLM gateway files of many agents.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Lazy, Testing, YamlOutputType } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { AgentPod, AgentSource, LlmProvider, ToolSidecar } from '../../src';
import { onceInSynth, synthSession, trackSynths } from '../../src/core/synth-session';
import { tmpDir } from '../support/util';

/** A ConfigMap `name` whose `data.value` is produced at render. */
function configMap(scope: Chart, name: string, produce: () => string): ApiObject {
  return new ApiObject(scope, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value: Lazy.any({ produce }) } });
}

/** An app with one chart whose ConfigMaps `a` and `b` both ask for `key` once per render. */
function appAskingTwice(compute: () => string, key = 'k'): { app: App; chart: Chart } {
  const app = new App({ outdir: tmpDir('synth-session-') });
  const chart = new Chart(app, 'chart');
  trackSynths(chart);
  for (const name of ['a', 'b']) configMap(chart, name, () => onceInSynth(chart, key, compute));
  return { app, chart };
}

describe('onceInSynth', () => {
  test('computes once per key within one synth, for every construct of the app', () => {
    let calls = 0;
    const { app } = appAskingTwice(() => `v${++calls}`);
    const docs = parseAllDocuments(app.synthYaml()).map(d => d.toJS());
    expect(docs.map(d => d.data.value)).toEqual(['v1', 'v1']);
    expect(calls).toBe(1);
  });

  test('computes again in the next synth: nothing outlives the synth it was computed in', () => {
    let calls = 0;
    const { app } = appAskingTwice(() => `v${++calls}`);
    app.synth();
    expect(calls).toBe(1);
    const text = app.synthYaml();
    expect(calls).toBe(2);
    expect(parseAllDocuments(text).map(d => d.toJS().data.value)).toEqual(['v2', 'v2']);
  });

  test('computes every time outside a synth (chart.toJson, Testing.synth)', () => {
    let calls = 0;
    const { chart } = appAskingTwice(() => `v${++calls}`);
    expect(Testing.synth(chart).map(o => o.data.value)).toEqual(['v1', 'v2']);
    expect(chart.toJson().map(o => o.data.value)).toEqual(['v3', 'v4']);
  });

  test('the session ends when the synth throws, and the next synth computes afresh', () => {
    let calls = 0;
    const { app, chart } = appAskingTwice(() => `v${++calls}`);
    let fail = true;
    configMap(chart, 'c', () => {
      if (fail) throw new Error('broken');
      return 'ok';
    });
    expect(() => app.synth()).toThrow(/broken/);
    expect(calls).toBe(1); // a and b were rendered before c threw
    expect(synthSession(chart)).toBeUndefined();
    fail = false;
    app.synth();
    expect(calls).toBe(2);
    expect(fs.readFileSync(path.join(app.outdir, 'chart.k8s.yaml'), 'utf8')).toContain('value: v2');
  });

  test('different keys are different values', () => {
    const app = new App({ outdir: tmpDir('synth-session-') });
    const chart = new Chart(app, 'chart');
    trackSynths(chart);
    for (const key of ['x', 'y']) configMap(chart, key, () => onceInSynth(chart, key, () => `value of ${key}`));
    expect(parseAllDocuments(app.synthYaml()).map(d => d.toJS().data.value)).toEqual(['value of x', 'value of y']);
  });
});

describe('the LLM gateway files of many agents', () => {
  /** `n` agents with the same two providers (own LlmProvider instances) and sidecar settings. */
  function agents(n: number): { app: App; pods: AgentPod[] } {
    const app = new App({ outdir: tmpDir('synth-session-'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const chart = new Chart(app, 'agents', { namespace: 'agents' });
    const pods = Array.from({ length: n }, (_, i) => new AgentPod(chart, `agent-${i}`, {
      source: AgentSource.image(`registry.example.com/agent:${i}`),
      toolSidecar: new ToolSidecar({ image: 'registry.example.com/tool-manager:0.1.0' }),
      llmProviders: [
        LlmProvider.anthropic({ name: 'main', model: 'claude-sonnet-4-5', credentials: { secretName: 'anthropic' } }),
        LlmProvider.openai({ name: 'backup', model: 'gpt-4o', credentials: { secretName: 'openai' } }),
      ],
    }));
    return { app, pods };
  }
  const toolsConfigs = (app: App) => app.charts.flatMap(c => c.toJson()).filter(o => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-tools'));

  test('agents with the same providers get the same config.yaml, and a provider added later to one changes only its own', () => {
    const { app, pods } = agents(3);
    app.synth();
    const text = fs.readFileSync(path.join(app.outdir, 'agents.k8s.yaml'), 'utf8');
    const configs = parseAllDocuments(text).map(d => d.toJS()).filter(o => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-tools'));
    expect(configs).toHaveLength(3);
    expect(new Set(configs.map(c => c.data['config.yaml'])).size).toBe(1);
    expect(parse(configs[0].data['config.yaml']).model_list.map((m: any) => m.model_name)).toEqual(['main', 'backup']);

    pods[1].addLlmProvider(LlmProvider.openai({ name: 'last', model: 'gpt-4o-mini', credentials: { secretName: 'openai' } }));
    app.synth();
    const after = toolsConfigs(app).map(c => parse(c.data['config.yaml']).model_list.map((m: any) => m.model_name));
    expect(after).toEqual([['main', 'backup'], ['main', 'backup', 'last'], ['main', 'backup']]);
  });

  test('app.synth() writes what each agent renders on its own', () => {
    const { app } = agents(2);
    const alone = toolsConfigs(app); // outside a synth: each agent renders its own YAML
    app.synth();
    const written = parseAllDocuments(fs.readFileSync(path.join(app.outdir, 'agents.k8s.yaml'), 'utf8')).map(d => d.toJS())
      .filter(o => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-tools'));
    expect(written.map(c => c.data)).toEqual(alone.map(c => c.data));
  });
});
