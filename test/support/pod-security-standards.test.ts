/**
 * The Pod Security Standards checker used by the other tests
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
 * a compliant pod passes, and each control, broken alone, is reported.
 */
import { baselineViolations, restrictedViolations } from './pod-security-standards';

/** A Deployment whose pod passes `restricted`: pod-level non-root and seccomp, hardened containers. */
function compliant(): any {
  const container = (name: string) => ({
    name,
    image: `registry.example.com/${name}:1`,
    ports: [{ containerPort: 8080 }],
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsUser: 1000,
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
    },
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' }, annotations: { 'container.apparmor.security.beta.kubernetes.io/agent': 'runtime/default' } },
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
            sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
          },
          initContainers: [container('init')],
          containers: [container('agent')],
          volumes: [
            { name: 'shared', emptyDir: {} },
            { name: 'config', configMap: { name: 'cfg' } },
            { name: 'token', projected: { sources: [] } },
          ],
        },
      },
    },
  };
}

function podSpec(d: any): any {
  return d.spec.template.spec;
}
function agent(d: any): any {
  return podSpec(d).containers[0];
}

describe('restrictedViolations', () => {
  test('a compliant pod gives no violation', () => {
    expect(restrictedViolations(compliant())).toEqual([]);
  });

  test('kinds without pods give no violation', () => {
    expect(restrictedViolations({ kind: 'ConfigMap', metadata: { name: 'x' }, data: {} })).toEqual([]);
  });

  test.each([
    ['hostNetwork', (d: any) => { podSpec(d).hostNetwork = true; }, 'Deployment \'web\': hostNetwork must be unset or false'],
    ['hostPID', (d: any) => { podSpec(d).hostPID = true; }, 'Deployment \'web\': hostPID must be unset or false'],
    ['hostIPC', (d: any) => { podSpec(d).hostIPC = true; }, 'Deployment \'web\': hostIPC must be unset or false'],
    ['hostProcess', (d: any) => { podSpec(d).securityContext.windowsOptions = { hostProcess: true }; },
      'Deployment \'web\': securityContext.windowsOptions.hostProcess must be unset or false'],
    ['privileged', (d: any) => { agent(d).securityContext.privileged = true; },
      'Deployment \'web\' container \'agent\': privileged must be unset or false'],
    ['capability outside baseline', (d: any) => { agent(d).securityContext.capabilities.add = ['SYS_ADMIN']; },
      'Deployment \'web\' container \'agent\': capabilities.add \'SYS_ADMIN\' is not allowed (baseline allows only the runtime defaults, restricted only NET_BIND_SERVICE)'],
    ['baseline capability other than NET_BIND_SERVICE', (d: any) => { agent(d).securityContext.capabilities.add = ['CHOWN']; },
      'Deployment \'web\' container \'agent\': capabilities.add \'CHOWN\' is not allowed (restricted allows only NET_BIND_SERVICE)'],
    ['capabilities not dropped', (d: any) => { agent(d).securityContext.capabilities.drop = ['NET_RAW']; },
      'Deployment \'web\' container \'agent\': capabilities.drop must include ALL'],
    ['hostPath volume', (d: any) => { podSpec(d).volumes.push({ name: 'host', hostPath: { path: '/var/run' } }); },
      'Deployment \'web\': volume \'host\' has type \'hostPath\'; restricted allows only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret'],
    ['nfs volume', (d: any) => { podSpec(d).volumes.push({ name: 'nfs', nfs: { server: 'nas', path: '/' } }); },
      'Deployment \'web\': volume \'nfs\' has type \'nfs\'; restricted allows only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret'],
    ['hostPort', (d: any) => { agent(d).ports[0].hostPort = 80; }, 'Deployment \'web\' container \'agent\': ports hostPort 80 must be unset or 0'],
    ['AppArmor annotation', (d: any) => { d.spec.template.metadata.annotations['container.apparmor.security.beta.kubernetes.io/agent'] = 'unconfined'; },
      'Deployment \'web\': annotation \'container.apparmor.security.beta.kubernetes.io/agent\' \'unconfined\' must be runtime/default or localhost/*'],
    ['AppArmor profile', (d: any) => { agent(d).securityContext.appArmorProfile = { type: 'Unconfined' }; },
      'Deployment \'web\' container \'agent\': appArmorProfile.type \'Unconfined\' must be RuntimeDefault or Localhost'],
    ['SELinux type', (d: any) => { podSpec(d).securityContext.seLinuxOptions = { type: 'spc_t' }; },
      'Deployment \'web\': securityContext.seLinuxOptions.type \'spc_t\' must be unset or one of container_t, container_init_t, container_kvm_t, container_engine_t'],
    ['SELinux user', (d: any) => { agent(d).securityContext.seLinuxOptions = { type: 'container_t', user: 'system_u' }; },
      'Deployment \'web\' container \'agent\': seLinuxOptions.user must be unset'],
    ['/proc mount', (d: any) => { agent(d).securityContext.procMount = 'Unmasked'; },
      'Deployment \'web\' container \'agent\': procMount \'Unmasked\' must be unset or Default'],
    ['unsafe sysctl', (d: any) => { podSpec(d).securityContext.sysctls.push({ name: 'kernel.msgmax', value: '1' }); },
      'Deployment \'web\': securityContext.sysctls \'kernel.msgmax\' is not a safe sysctl'],
    ['seccomp Unconfined on a container', (d: any) => { agent(d).securityContext.seccompProfile = { type: 'Unconfined' }; },
      'Deployment \'web\' container \'agent\': seccompProfile.type \'Unconfined\' must be RuntimeDefault or Localhost'],
    ['allowPrivilegeEscalation unset', (d: any) => { delete agent(d).securityContext.allowPrivilegeEscalation; },
      'Deployment \'web\' container \'agent\': allowPrivilegeEscalation must be false'],
    ['runAsNonRoot false on a container', (d: any) => { agent(d).securityContext.runAsNonRoot = false; },
      'Deployment \'web\' container \'agent\': runAsNonRoot must not be false'],
    ['runAsUser 0 on a container', (d: any) => { agent(d).securityContext.runAsUser = 0; },
      'Deployment \'web\' container \'agent\': runAsUser must not be 0'],
    ['runAsUser 0 on the pod', (d: any) => { podSpec(d).securityContext.runAsUser = 0; },
      'Deployment \'web\': securityContext.runAsUser must not be 0'],
    ['probe host', (d: any) => { agent(d).livenessProbe = { httpGet: { host: '10.0.0.1', path: '/', port: 8080 } }; },
      'Deployment \'web\' container \'agent\': livenessProbe.httpGet.host \'10.0.0.1\' must be unset'],
  ])('%s', (_name, breakIt, message) => {
    const d = compliant();
    breakIt(d);
    expect(restrictedViolations(d)).toEqual([message]);
  });

  test('init containers and ephemeral containers are checked too', () => {
    const d = compliant();
    podSpec(d).initContainers[0].securityContext.privileged = true;
    podSpec(d).ephemeralContainers = [{ name: 'debug', image: 'busybox', securityContext: { ...agent(d).securityContext, allowPrivilegeEscalation: true } }];
    expect(restrictedViolations(d)).toEqual([
      'Deployment \'web\' initContainer \'init\': privileged must be unset or false',
      'Deployment \'web\' ephemeralContainer \'debug\': allowPrivilegeEscalation must be false',
    ]);
  });

  describe('runAsNonRoot: pod level or every container', () => {
    test('unset on pod and containers: every container is reported', () => {
      const d = compliant();
      delete podSpec(d).securityContext.runAsNonRoot;
      expect(restrictedViolations(d)).toEqual([
        'Deployment \'web\' initContainer \'init\': runAsNonRoot must be true (here or in the pod securityContext)',
        'Deployment \'web\' container \'agent\': runAsNonRoot must be true (here or in the pod securityContext)',
      ]);
    });

    test('unset on the pod but true on every container passes', () => {
      const d = compliant();
      delete podSpec(d).securityContext.runAsNonRoot;
      for (const c of [...podSpec(d).initContainers, ...podSpec(d).containers]) c.securityContext.runAsNonRoot = true;
      expect(restrictedViolations(d)).toEqual([]);
    });

    test('false on the pod fails even when every container sets true', () => {
      const d = compliant();
      podSpec(d).securityContext.runAsNonRoot = false;
      for (const c of [...podSpec(d).initContainers, ...podSpec(d).containers]) c.securityContext.runAsNonRoot = true;
      expect(restrictedViolations(d)).toEqual(['Deployment \'web\': securityContext.runAsNonRoot must not be false']);
    });
  });

  describe('seccomp: pod level or every container', () => {
    test('unset everywhere: every container is reported', () => {
      const d = compliant();
      delete podSpec(d).securityContext.seccompProfile;
      expect(restrictedViolations(d)).toEqual([
        'Deployment \'web\' initContainer \'init\': seccompProfile.type must be RuntimeDefault or Localhost (here or in the pod securityContext)',
        'Deployment \'web\' container \'agent\': seccompProfile.type must be RuntimeDefault or Localhost (here or in the pod securityContext)',
      ]);
    });

    test('Localhost on every container, none on the pod, passes', () => {
      const d = compliant();
      delete podSpec(d).securityContext.seccompProfile;
      for (const c of [...podSpec(d).initContainers, ...podSpec(d).containers]) {
        c.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/agent.json' };
      }
      expect(restrictedViolations(d)).toEqual([]);
    });

    test('Unconfined on the pod is reported once, with the containers then unprotected', () => {
      const d = compliant();
      podSpec(d).securityContext.seccompProfile = { type: 'Unconfined' };
      expect(restrictedViolations(d)).toEqual([
        'Deployment \'web\': securityContext.seccompProfile.type \'Unconfined\' must be RuntimeDefault or Localhost',
        'Deployment \'web\' initContainer \'init\': seccompProfile.type must be RuntimeDefault or Localhost (here or in the pod securityContext)',
        'Deployment \'web\' container \'agent\': seccompProfile.type must be RuntimeDefault or Localhost (here or in the pod securityContext)',
      ]);
    });
  });

  test('CronJob: the pod of spec.jobTemplate.spec.template is checked', () => {
    const d = compliant();
    agent(d).securityContext.allowPrivilegeEscalation = true;
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: d.spec.template } } },
    };
    expect(restrictedViolations(cronJob)).toEqual(['CronJob \'nightly\' container \'agent\': allowPrivilegeEscalation must be false']);
  });

  test('a bare Pod with nothing set breaks every restricted container control', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    expect(restrictedViolations(pod)).toEqual([
      'Pod \'p\' container \'c\': allowPrivilegeEscalation must be false',
      'Pod \'p\' container \'c\': runAsNonRoot must be true (here or in the pod securityContext)',
      'Pod \'p\' container \'c\': seccompProfile.type must be RuntimeDefault or Localhost (here or in the pod securityContext)',
      'Pod \'p\' container \'c\': capabilities.drop must include ALL',
    ]);
    expect(baselineViolations(pod)).toEqual([]);
  });
});

describe('baselineViolations', () => {
  test('baseline allows runtime-default capabilities, hostPath is its only volume ban, and only Unconfined seccomp is refused', () => {
    const d = compliant();
    agent(d).securityContext.capabilities.add = ['CHOWN'];
    podSpec(d).volumes.push({ name: 'nfs', nfs: { server: 'nas', path: '/' } });
    agent(d).securityContext.seccompProfile = { type: 'Unconfined' };
    podSpec(d).volumes.push({ name: 'host', hostPath: { path: '/' } });
    expect(baselineViolations(d)).toEqual([
      'Deployment \'web\': volume \'host\' has type \'hostPath\'; hostPath volumes are forbidden',
      'Deployment \'web\' container \'agent\': seccompProfile.type must not be Unconfined',
    ]);
  });
});
