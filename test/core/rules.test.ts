/**
 * One rule in one place: every construct that takes an image uses the
 * ImageReference grammar, and the AgentType CRD schema uses the same name and
 * quantity patterns the constructs check with, so a value the library accepts
 * is one the API server accepts and the other way round.
 */
import { Testing } from 'cdk8s';
import {
  AgentOperator, AgentPod, AgentSource, AgentTypeCrd, ImageReference, RedisMemory, ToolSidecar,
} from '../../src';
import { isQuantity, QUANTITY_PATTERN } from '../../src/core/quantity';
import {
  DNS1123_LABEL_PATTERN, DNS1123_SUBDOMAIN_PATTERN, isDns1123Label, isDns1123Subdomain,
} from '../../src/core/validation';
import { validateAgentTypeManifest } from '../../src/install/agent-type-schema';
import { errorOf } from '../support/util';

/** References `ImageReference.parse` refuses, which an older hand-written check let through. */
const BAD_IMAGES = ['agent:1:2', 'example.com//agent:1', 'Agent:1', 'agent@sha256:123'];
/** References that are valid though unusual. */
const GOOD_IMAGES = ['[::1]:5000/app:v2', 'localhost:5000/tools/init:1', 'my-org/my__app.x--y:Tag_1.0-rc'];

const IMAGE_TAKERS: { [construct: string]: (image: string) => unknown } = {
  'AgentSource.image': image => AgentSource.image(image),
  'ToolSidecar': image => new ToolSidecar({ image }),
  'AgentPod initImage': image => new AgentPod(Testing.chart(), 'web', { source: AgentSource.image('agent:1'), initImage: image }),
  'RedisMemory': image => new RedisMemory(Testing.chart(), 'redis', { image, passwordSecret: { name: 'redis', key: 'password' } }),
  'AgentOperator': image => new AgentOperator(Testing.chart(), 'operator', { image }),
};

describe('one image rule for every construct', () => {
  for (const [construct, take] of Object.entries(IMAGE_TAKERS)) {
    test.each(BAD_IMAGES)(`${construct} refuses '%s' as ImageReference does`, image => {
      expect(() => ImageReference.parse(image)).toThrow();
      const message = errorOf(() => take(image));
      expect(message.toLowerCase()).toContain(`image '${image.toLowerCase()}' is not an image reference`);
      // The reason is the one ImageReference gives.
      expect(message).toContain(ImageReference.problemOf(image)!);
    });
    test.each(GOOD_IMAGES)(`${construct} accepts '%s' as ImageReference does`, image => {
      expect(ImageReference.parse(image).toString()).toBe(image);
      expect(() => take(image)).not.toThrow();
    });
  }
});

/** The schema node at a dotted path of properties/items. */
function schemaAt(path: string): any {
  const chart = Testing.chart();
  new AgentTypeCrd(chart, 'crd');
  const crd = Testing.synth(chart)[0];
  let node = crd.spec.versions[0].schema.openAPIV3Schema;
  for (const key of path.split('.')) node = key === '[]' ? node.items : node.properties[key];
  return node;
}

function agentTypeWith(spec: any): any {
  return {
    apiVersion: 'agents.example.com/v1',
    kind: 'AgentType',
    metadata: { name: 'a' },
    spec: { agent: { image: 'agent:1' }, ...spec },
  };
}

describe('the CRD schema and the constructs share their patterns', () => {
  test('the CRD renders the core patterns', () => {
    expect(schemaAt('spec.memory.size').pattern).toBe(QUANTITY_PATTERN);
    expect(schemaAt('spec.agent.name').pattern).toBe(DNS1123_LABEL_PATTERN);
    expect(schemaAt('spec.llm.providers.[].credentialsSecret').pattern).toBe(DNS1123_SUBDOMAIN_PATTERN);
  });

  test.each(['1Gi', '512Mi', '1.5G', '500m', '+1e3', '.5', '1Gx', '1 Gi', 'lots', '1GB', '', '-1Gi', '-0'])(
    'quantity %p: the schema and the constructs agree', value => {
      const schemaAccepts = validateAgentTypeManifest(agentTypeWith({ memory: { size: value } })).length === 0;
      expect(isQuantity(value)).toBe(schemaAccepts);
    });

  test.each(['anthropic', 'a.b-c', 'A', 'a_b', '-a', 'a.', 'x'.repeat(254), 'x'.repeat(253)])(
    'Secret name %p: the schema and the constructs agree', value => {
      const spec = { llm: { providers: [{ name: 'main', type: 'openai', credentialsSecret: value }] } };
      const schemaAccepts = validateAgentTypeManifest(agentTypeWith(spec)).length === 0;
      expect(isDns1123Subdomain(value)).toBe(schemaAccepts);
    });

  test.each(['agent', 'a-1', 'A', 'a.b', '-a', 'x'.repeat(64), 'x'.repeat(63)])(
    'container name %p: the schema and the constructs agree', value => {
      const spec = { agent: { name: value, image: 'agent:1' } };
      const schemaAccepts = validateAgentTypeManifest(agentTypeWith(spec)).length === 0;
      expect(isDns1123Label(value)).toBe(schemaAccepts);
    });
});
