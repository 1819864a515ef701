import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import { AgentOperator } from '../../src/install/agent-operator';
import { OPERATOR_DEFAULTS, OPERATOR_ENV, OPERATOR_ENV_HELP, OPERATOR_FLAG_HELP, OPERATOR_FLAGS } from '../../src/install/operator-command-line';
import { asksForHelp, operatorUsage, parseOperatorOptions } from '../../src/operator/options';

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
    [['--zap-log-level=info'], /\(cdk8s-agents-operator --help lists the flags\)$/],
    [['extra'], /--help lists the flags/],
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

describe('--help', () => {
  test('--help or -h anywhere asks for the usage text; flag values and the environment are not looked at', () => {
    expect(asksForHelp(['--help'])).toBe(true);
    expect(asksForHelp(['-h'])).toBe(true);
    expect(asksForHelp(['--log-level=trace', '--max-concurrent-reconciles=0', '-h'])).toBe(true);
    expect(asksForHelp([])).toBe(false);
    expect(asksForHelp(['--leader-elect', '--log-level=debug'])).toBe(false);
    // An unknown flag is still an error, pointing at --help.
    expect(() => asksForHelp(['--help', '--zap'])).toThrow("Unknown option '--zap' (cdk8s-agents-operator --help lists the flags)");
    // The options parser accepts --help too (the program asks asksForHelp first).
    expect(parseOperatorOptions(['--help'], {})).toEqual(parseOperatorOptions([], {}));
  });

  test('the usage text lists every flag of OPERATOR_FLAGS and every variable of OPERATOR_ENV, one line each, with its default', () => {
    const usage = operatorUsage();
    const lines = usage.split('\n');
    const lineOf = (name: string) => {
      const found = lines.filter(l => new RegExp(`^  ${name}[= ]`).test(l));
      expect(found).toHaveLength(1);
      return found[0];
    };
    for (const [key, flag] of Object.entries(OPERATOR_FLAGS)) {
      const help = OPERATOR_FLAG_HELP[key as keyof typeof OPERATOR_FLAGS];
      const line = lineOf(`--${flag}`);
      expect(line).toContain(help.description);
      if (help.default !== undefined) expect(line.endsWith(`(default: ${help.default})`)).toBe(true);
    }
    for (const [key, name] of Object.entries(OPERATOR_ENV)) {
      const help = OPERATOR_ENV_HELP[key as keyof typeof OPERATOR_ENV];
      const line = lineOf(name);
      if (help.default !== undefined) expect(line.endsWith(`(default: ${help.default})`)).toBe(true);
    }
    expect(lineOf('-h, --help')).toContain('print this text and exit');
    // Defaults as the program's own values, not restated by hand.
    expect(lineOf('--max-concurrent-reconciles')).toMatch(/=<n> .*1 to 64 \(default: 4\)$/);
    expect(lineOf('--sync-period')).toMatch(/\(default: 10h\)$/);
    expect(lineOf('--metrics-bind-address')).toMatch(/\(default: :8080\)$/);
    expect(lineOf('AGENT_TYPE_GROUP')).toMatch(/\(default: agents.example.com\)$/);
    expect(usage).toMatch(/^Usage: cdk8s-agents-operator \[flags\]\n/);
  });

  test('every default the usage text shows is what the program uses without the flag or variable', () => {
    const none = parseOperatorOptions([], {});
    const shown = (Object.keys(OPERATOR_FLAGS) as (keyof typeof OPERATOR_FLAGS)[])
      // A flag with a value whose default is a value (not a rule such as the Lease namespace's).
      .filter(key => OPERATOR_FLAG_HELP[key].value !== undefined && OPERATOR_FLAG_HELP[key].default !== undefined && key !== 'leaderElectionNamespace');
    expect(shown.sort()).toEqual(['healthProbeBindAddress', 'leaderElectionId', 'logLevel', 'maxConcurrentReconciles', 'metricsBindAddress', 'syncPeriod']);
    for (const key of shown) {
      expect(parseOperatorOptions([`--${OPERATOR_FLAGS[key]}=${OPERATOR_FLAG_HELP[key].default}`], {})).toEqual(none);
    }
    expect(parseOperatorOptions([], { [OPERATOR_ENV.agentTypeGroup]: OPERATOR_ENV_HELP.agentTypeGroup.default })).toEqual(none);
    expect(none.maxConcurrentReconciles).toBe(OPERATOR_DEFAULTS.maxConcurrentReconciles);
  });

  test('the program prints it to stdout and exits 0 without connecting to the API server', async () => {
    // A kubeconfig pointing at a listener that counts connections: --help must make none.
    let connections = 0;
    const listener = net.createServer(socket => { connections++; socket.destroy(); });
    await new Promise<void>(resolve => listener.listen(0, '127.0.0.1', resolve));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operator-help-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const port = (listener.address() as net.AddressInfo).port;
    fs.writeFileSync(kubeconfig, JSON.stringify({
      'apiVersion': 'v1',
      'kind': 'Config',
      'current-context': 'c',
      'clusters': [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
      'users': [{ name: 'u', user: { token: 'unused' } }],
      'contexts': [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }));
    try {
      const child = spawn(process.execPath, ['-r', 'ts-node/register', 'src/operator/main.ts', '--leader-elect', '--help'], {
        cwd: path.join(__dirname, '..', '..'),
        env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig, WATCH_NAMESPACE: 'Not_A_Namespace', TS_NODE_PROJECT: 'test/tsconfig.json', TS_NODE_TRANSPILE_ONLY: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => (stdout += String(d)));
      child.stderr.on('data', d => (stderr += String(d)));
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit in 60 s:\n${stdout}${stderr}`)); }, 60_000);
        child.on('exit', c => { clearTimeout(timer); resolve(c); });
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toBe(operatorUsage());
      expect(connections).toBe(0);
    } finally {
      listener.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 70_000);
});
