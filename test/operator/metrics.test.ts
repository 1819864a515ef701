import { OperatorMetrics } from '../../src/operator/metrics';

/** The sample lines of `name` in an exposition, without comments. */
const samples = (text: string, name: string) => text.split('\n').filter(l => l.startsWith(name));

test('reconciles, errors, durations, writes and the queue depth are exposed under controller-runtime names', async () => {
  let depth = 3;
  const metrics = new OperatorMetrics(() => depth);
  metrics.reconciled('success', 0.02);
  metrics.reconciled('success', 0.2);
  metrics.reconciled('error', 1.5);
  metrics.retried();
  metrics.queued();
  metrics.wrote('apply');
  metrics.wrote('apply');
  metrics.wrote('status');
  depth = 7;
  const { contentType, body } = await metrics.exposition();
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(samples(body, 'controller_runtime_reconcile_total')).toEqual([
    'controller_runtime_reconcile_total{controller="agenttype",result="success"} 2',
    'controller_runtime_reconcile_total{controller="agenttype",result="error"} 1',
  ]);
  expect(samples(body, 'controller_runtime_reconcile_errors_total')).toEqual(['controller_runtime_reconcile_errors_total{controller="agenttype"} 1']);
  expect(samples(body, 'controller_runtime_reconcile_time_seconds_count')).toEqual(['controller_runtime_reconcile_time_seconds_count{controller="agenttype"} 3']);
  expect(samples(body, 'controller_runtime_reconcile_time_seconds_bucket{le="0.025"')).toEqual(['controller_runtime_reconcile_time_seconds_bucket{le="0.025",controller="agenttype"} 1']);
  expect(samples(body, 'workqueue_depth')).toEqual(['workqueue_depth{name="agenttype"} 7']);
  expect(samples(body, 'workqueue_retries_total')).toEqual(['workqueue_retries_total{name="agenttype"} 1']);
  expect(samples(body, 'cdk8s_agents_operator_writes_total')).toEqual([
    'cdk8s_agents_operator_writes_total{controller="agenttype",verb="apply"} 2',
    'cdk8s_agents_operator_writes_total{controller="agenttype",verb="status"} 1',
  ]);
  expect(samples(body, 'process_resident_memory_bytes')).toHaveLength(1);
});
