/**
 * Pod Security Standards checker for the test suite: the `baseline` and
 * `restricted` controls of
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * (latest policy version, as the PodSecurity admission plugin implements them in
 * k8s.io/pod-security-admission/policy), applied to the pod spec of a Pod or of
 * a workload's pod template.
 *
 * Stricter than the admission plugin in two places, on purpose: the
 * relaxations for user-namespaced pods (`hostUsers: false`) and for Windows
 * pods (`spec.os.name: windows`) are not applied.
 */

/** Capabilities baseline allows in `capabilities.add` (the container runtime defaults). */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** The only capability restricted allows in `capabilities.add`. */
const RESTRICTED_CAPABILITY = 'NET_BIND_SERVICE';

/** Inline volume sources restricted allows (everything else, hostPath first, is refused). */
const RESTRICTED_VOLUME_TYPES = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
];

/**
 * Safe sysctls (baseline `spec.securityContext.sysctls[*].name`), with the
 * policy version that added them.
 */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports', // 1.27+
  'net.ipv4.tcp_keepalive_time', // 1.29+
  'net.ipv4.tcp_fin_timeout', // 1.29+
  'net.ipv4.tcp_keepalive_intvl', // 1.29+
  'net.ipv4.tcp_keepalive_probes', // 1.29+
  'net.ipv4.tcp_rmem', // 1.32+
  'net.ipv4.tcp_wmem', // 1.32+
]);

/** SELinux types baseline allows (`container_engine_t` since 1.31). */
const SELINUX_TYPES = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** AppArmor annotation prefix (deprecated form of `appArmorProfile`). */
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** Container lists of a pod spec, with the word used in messages. */
const CONTAINER_LISTS = [
  ['initContainers', 'initContainer'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeralContainer'],
] as const;

export type PodSecurityLevel = 'baseline' | 'restricted';

/** Metadata and spec of the pod a manifest runs; undefined for kinds without pods. */
function podOf(manifest: any): { metadata: any; spec: any } | undefined {
  switch (manifest?.kind) {
    case 'Pod':
      return { metadata: manifest.metadata ?? {}, spec: manifest.spec ?? {} };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job': {
      const template = manifest.spec?.template ?? {};
      return { metadata: template.metadata ?? {}, spec: template.spec ?? {} };
    }
    case 'CronJob': {
      const template = manifest.spec?.jobTemplate?.spec?.template ?? {};
      return { metadata: template.metadata ?? {}, spec: template.spec ?? {} };
    }
    default:
      return undefined;
  }
}

/**
 * Violations of the `restricted` profile (which includes `baseline`) by the
 * pod a manifest runs (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * ReplicationController, Job, CronJob), one message per offending field, e.g.
 * `Deployment 'web' container 'agent': allowPrivilegeEscalation must be false`.
 * Other kinds give [].
 */
export function restrictedViolations(manifest: any): string[] {
  return podSecurityViolations(manifest, 'restricted');
}

/** Violations of the `baseline` profile only. */
export function baselineViolations(manifest: any): string[] {
  return podSecurityViolations(manifest, 'baseline');
}

/** Violations of `baseline`, or of `restricted` (baseline + restricted controls). */
export function podSecurityViolations(manifest: any, level: PodSecurityLevel): string[] {
  const pod = podOf(manifest);
  if (!pod) return [];
  const restricted = level === 'restricted';
  const { metadata, spec } = pod;
  const subject = `${manifest.kind} '${manifest.metadata?.name ?? ''}'`;
  const out: string[] = [];
  const podProblem = (problem: string) => out.push(`${subject}: ${problem}`);
  const psc = spec.securityContext ?? {};

  // --- baseline, pod level -------------------------------------------------
  // HostProcess
  if (psc.windowsOptions?.hostProcess === true) podProblem('securityContext.windowsOptions.hostProcess must be unset or false');
  // Host Namespaces
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) podProblem(`${field} must be unset or false`);
  }
  // HostPath Volumes (baseline) / Volume Types (restricted)
  for (const volume of list(spec.volumes)) {
    const name = volume?.name ?? '';
    const types = Object.keys(volume ?? {}).filter(k => k !== 'name');
    if (restricted) {
      const bad = types.filter(t => !RESTRICTED_VOLUME_TYPES.includes(t));
      if (bad.length > 0 || types.length === 0) {
        podProblem(`volume '${name}' has type '${bad.join(', ') || 'unknown'}'; restricted allows only ${RESTRICTED_VOLUME_TYPES.join(', ')}`);
      }
    } else if (volume?.hostPath !== undefined && volume?.hostPath !== null) {
      podProblem(`volume '${name}' has type 'hostPath'; hostPath volumes are forbidden`);
    }
  }
  // AppArmor (annotations and securityContext.appArmorProfile)
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== '' && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      podProblem(`annotation '${key}' '${value}' must be runtime/default or localhost/*`);
    }
  }
  appArmorProblem(psc, 'securityContext.', podProblem);
  // SELinux
  seLinuxProblems(psc, 'securityContext.', podProblem);
  // Seccomp (baseline: not Unconfined; restricted: RuntimeDefault or Localhost)
  const podSeccomp = psc.seccompProfile?.type;
  if (psc.seccompProfile != null && !validSeccomp(podSeccomp, restricted)) {
    podProblem(seccompMessage('securityContext.', podSeccomp, restricted));
  }
  // Sysctls
  for (const sysctl of list(psc.sysctls)) {
    if (!SAFE_SYSCTLS.has(sysctl?.name)) podProblem(`securityContext.sysctls '${sysctl?.name}' is not a safe sysctl`);
  }

  // --- restricted, pod level -----------------------------------------------
  if (restricted) {
    if (psc.runAsNonRoot === false) podProblem('securityContext.runAsNonRoot must not be false');
    if (psc.runAsUser === 0) podProblem('securityContext.runAsUser must not be 0');
  }
  const podNonRoot = psc.runAsNonRoot === true;
  const podSeccompValid = psc.seccompProfile != null && validSeccomp(podSeccomp, true);

  // --- containers ----------------------------------------------------------
  for (const [key, label] of CONTAINER_LISTS) {
    for (const c of list(spec[key])) {
      const where = `${subject} ${label} '${c?.name ?? ''}'`;
      const problem = (p: string) => out.push(`${where}: ${p}`);
      const sc = c?.securityContext ?? {};

      // baseline
      if (sc.windowsOptions?.hostProcess === true) problem('windowsOptions.hostProcess must be unset or false');
      if (sc.privileged === true) problem('privileged must be unset or false');
      for (const cap of list(sc.capabilities?.add)) {
        if (!BASELINE_CAPABILITIES.has(cap)) {
          problem(`capabilities.add '${cap}' is not allowed (baseline allows only the runtime defaults, restricted only ${RESTRICTED_CAPABILITY})`);
        } else if (restricted && cap !== RESTRICTED_CAPABILITY) {
          problem(`capabilities.add '${cap}' is not allowed (restricted allows only ${RESTRICTED_CAPABILITY})`);
        }
      }
      for (const port of list(c?.ports)) {
        if (port?.hostPort !== undefined && port?.hostPort !== null && port.hostPort !== 0) {
          problem(`ports hostPort ${port.hostPort} must be unset or 0`);
        }
      }
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        for (const handler of ['httpGet', 'tcpSocket']) {
          const host = c?.[probe]?.[handler]?.host;
          if (host) problem(`${probe}.${handler}.host '${host}' must be unset`);
        }
      }
      for (const hook of ['postStart', 'preStop']) {
        for (const handler of ['httpGet', 'tcpSocket']) {
          const host = c?.lifecycle?.[hook]?.[handler]?.host;
          if (host) problem(`lifecycle.${hook}.${handler}.host '${host}' must be unset`);
        }
      }
      appArmorProblem(sc, '', problem);
      seLinuxProblems(sc, '', problem);
      if (sc.procMount !== undefined && sc.procMount !== null && sc.procMount !== 'Default') {
        problem(`procMount '${sc.procMount}' must be unset or Default`);
      }
      if (sc.seccompProfile != null && !validSeccomp(sc.seccompProfile.type, restricted)) {
        problem(seccompMessage('', sc.seccompProfile.type, restricted));
      }

      if (!restricted) continue;
      // restricted
      if (sc.allowPrivilegeEscalation !== false) problem('allowPrivilegeEscalation must be false');
      if (sc.runAsNonRoot === false) problem('runAsNonRoot must not be false');
      else if (sc.runAsNonRoot !== true && !podNonRoot) problem('runAsNonRoot must be true (here or in the pod securityContext)');
      if (sc.runAsUser === 0) problem('runAsUser must not be 0');
      if (sc.seccompProfile == null && !podSeccompValid) {
        problem('seccompProfile.type must be RuntimeDefault or Localhost (here or in the pod securityContext)');
      }
      if (!list(sc.capabilities?.drop).includes('ALL')) problem('capabilities.drop must include ALL');
    }
  }
  return out;
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

function validSeccomp(type: unknown, restricted: boolean): boolean {
  return restricted ? type === 'RuntimeDefault' || type === 'Localhost' : type !== 'Unconfined';
}

function seccompMessage(prefix: string, type: unknown, restricted: boolean): string {
  return restricted
    ? `${prefix}seccompProfile.type '${type}' must be RuntimeDefault or Localhost`
    : `${prefix}seccompProfile.type must not be Unconfined`;
}

/** `appArmorProfile.type`: unset, RuntimeDefault or Localhost. */
function appArmorProblem(sc: any, prefix: string, problem: (p: string) => void): void {
  const type = sc.appArmorProfile?.type;
  if (sc.appArmorProfile != null && type !== 'RuntimeDefault' && type !== 'Localhost') {
    problem(`${prefix}appArmorProfile.type '${type}' must be RuntimeDefault or Localhost`);
  }
}

/** `seLinuxOptions`: type unset or a container type; user and role unset. */
function seLinuxProblems(sc: any, prefix: string, problem: (p: string) => void): void {
  const options = sc.seLinuxOptions;
  if (options == null) return;
  if (options.type && !SELINUX_TYPES.has(options.type)) {
    problem(`${prefix}seLinuxOptions.type '${options.type}' must be unset or one of ${[...SELINUX_TYPES].join(', ')}`);
  }
  if (options.user) problem(`${prefix}seLinuxOptions.user must be unset`);
  if (options.role) problem(`${prefix}seLinuxOptions.role must be unset`);
}
