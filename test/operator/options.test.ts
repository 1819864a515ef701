import { Duration, Testing } from 'cdk8s';
import { AgentOperator } from '../../src/install/agent-operator';
import { parseOperatorOptions } from '../../src/operator/options';

/** The manager container `AgentOperator` renders for `props`. */
function manager(props: Partial<ConstructorParameters<typeof AgentOperator>[2]> = {}): any {
  const chart = Testing.chart();
  new AgentOperator(chart, 'op', { image: 'registry.example.com/op:1.0', ...props });
  return Testing.synth(chart).find(o => o.kind === 'Deployment')!.spec.template.spec.containers[0];
}

/** The environment the container gets, with POD_NAMESPACE filled in as the downward API would. */
function environment(container: any, podNamespace: string): Record<string, string> {
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace' ? podNamespace : undefined)]));
}

describe('the program reads what AgentOperator renders', () => {
  test('defaults: leader election, both servers on every interface, the CRD group, the watched namespaces', () => {
    const c = manager({ watchNamespaces: ['team-a', 'team-b'], group: 'agents.acme.io' });
    expect(parseOperatorOptions(c.args, environment(c, 'agents-system'))).toEqual({
      namespaces: ['team-a', 'team-b'],
      group: 'agents.acme.io',
      leaderElect: true,
      leaderElectionId: 'cdk8s-agents-operator',
      leaderElectionNamespace: 'agents-system',
      metrics: { host: undefined, port: 8080 },
      health: { host: undefined, port: 8081 },
      logLevel: 'info',
      toolSidecarImage: undefined,
      syncPeriodSeconds: 36000,
      maxConcurrentReconciles: 4,
    });
    // The default is the program's, not rendered: the container args stay as they were.
    expect(c.args.some((a: string) => a.startsWith('--max-concurrent-reconciles'))).toBe(false);
    // The ports the program listens on are the container ports and probe ports rendered beside them.
    expect(c.ports).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'metrics', containerPort: 8080 }), expect.objectContaining({ name: 'health', containerPort: 8081 })]));
    expect([c.livenessProbe.httpGet, c.readinessProbe.httpGet]).toEqual([{ path: '/healthz', port: 8081, scheme: 'HTTP' }, { path: '/readyz', port: 8081, scheme: 'HTTP' }]);
  });

  test('every override reaches the program; cluster-wide mode watches every namespace', () => {
    const c = manager({
      clusterWide: true,
      metricsPort: 9090,
      healthPort: 9091,
      logLevel: 'debug',
      leaderElectionId: 'ops',
      toolSidecarImage: 'registry.example.com/tools:2.0',
      syncPeriod: Duration.minutes(5),
      maxConcurrentReconciles: 12,
    });
    expect(c.args).toContain('--max-concurrent-reconciles=12');
    expect(parseOperatorOptions(c.args, environment(c, 'ops-ns'))).toMatchObject({
      namespaces: [],
      leaderElectionId: 'ops',
      leaderElectionNamespace: 'ops-ns',
      metrics: { port: 9090 },
      health: { port: 9091 },
      logLevel: 'debug',
      toolSidecarImage: 'registry.example.com/tools:2.0',
      syncPeriodSeconds: 300,
      maxConcurrentReconciles: 12,
    });
  });
});

describe('parseOperatorOptions', () => {
  test('out of cluster: loopback addresses, port 0, metrics off, durations', () => {
    const options = parseOperatorOptions(['--health-probe-bind-address=127.0.0.1:0', '--metrics-bind-address=0', '--sync-period=2h'], { WATCH_NAMESPACE: ' a, b ,a,' });
    expect(options).toMatchObject({ namespaces: ['a', 'b'], health: { host: '127.0.0.1', port: 0 }, metrics: undefined, leaderElect: false, syncPeriodSeconds: 7200, group: 'agents.example.com' });
    expect(parseOperatorOptions(['--metrics-bind-address=[::1]:9000'], {}).metrics).toEqual({ host: '[::1]', port: 9000 });
  });

  test('--max-concurrent-reconciles: 1 to 64 workers, as --flag=n or --flag n; 4 without it', () => {
    expect(parseOperatorOptions([], {}).maxConcurrentReconciles).toBe(4);
    expect(parseOperatorOptions(['--max-concurrent-reconciles=1'], {}).maxConcurrentReconciles).toBe(1);
    expect(parseOperatorOptions(['--max-concurrent-reconciles', '64'], {}).maxConcurrentReconciles).toBe(64);
    expect(parseOperatorOptions(['--max-concurrent-reconciles=007'], {}).maxConcurrentReconciles).toBe(7);
  });

  test.each(['0', '65', '-1', '1.5', '2e1', '0x10', 'four', '', ' 3', 'Infinity'])('--max-concurrent-reconciles=%j is refused, naming the flag and the value', (value) => {
    expect(() => parseOperatorOptions([`--max-concurrent-reconciles=${value}`], {}))
      .toThrow(new Error(`--max-concurrent-reconciles '${value}' is not an integer from 1 to 64`));
  });

  test.each([
    [['--zap-log-level=info'], /Unknown option '--zap-log-level'/],
    [['--max-concurrent-reconciles'], /Option '--max-concurrent-reconciles <value>' argument missing/],
    [['--group=agents.acme.io'], /Unknown option '--group'/],
    [['--leader-election-id'], /Option '--leader-election-id <value>' argument missing/],
    [['extra'], /Unexpected argument 'extra'/],
    [['--health-probe-bind-address=8081'], /^--health-probe-bind-address '8081' is not \[host\]:port$/],
    [['--metrics-bind-address=:99999'], /^--metrics-bind-address ':99999' is not \[host\]:port$/],
    [['--log-level=trace'], /^--log-level 'trace' is not one of debug, info, error$/],
    [['--sync-period=0s'], /^--sync-period '0s' is not a duration of at least 1s/],
    [['--sync-period=10'], /^--sync-period '10' is not a duration/],
  ])('%j is refused, naming the flag', (argv, message) => {
    expect(() => parseOperatorOptions(argv, {})).toThrow(message);
  });

  test('a WATCH_NAMESPACE entry that is no namespace name is refused', () => {
    expect(() => parseOperatorOptions([], { WATCH_NAMESPACE: 'team-a,Team_B' })).toThrow("WATCH_NAMESPACE 'team-a,Team_B': 'Team_B' is not a namespace name (RFC 1123 label)");
  });
});

