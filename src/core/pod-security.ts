/**
 * Pod Security Standards `restricted` settings shared by every pod the library
 * renders (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).
 * Internal helper.
 */
import { Capability, ContainerSecurityContextProps, SeccompProfileType } from 'cdk8s-plus-28';
import { checkUserId, fail } from './validation';

/**
 * A container `securityContext` that passes the `restricted` profile:
 * runAsNonRoot with the given user and group, no privilege escalation, not
 * privileged, all capabilities dropped, seccomp `RuntimeDefault`, read-only
 * root filesystem (mount writable volumes where the container writes).
 */
export function restrictedContainerSecurityContext(uid: number): ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: uid,
    group: uid,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: [Capability.ALL] },
    seccompProfile: { type: SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/**
 * The restricted defaults for `uid` with the user's `changes` merged over
 * them, checked: `user` (`runAsUser`) and `group` (`runAsGroup`) are ids
 * from 0 to 2147483647, and user 0 (root) goes with `ensureNonRoot: false`
 * only, since the kubelet refuses to start a container with `runAsNonRoot`
 * and uid 0.
 * @param field the prop of `changes`, e.g. `securityContext`
 * @throws `<Kind> '<path>': securityContext.user '1.5' is not a user or group id ...`
 */
export function restrictedSecurityContextWith(
  kind: string, path: string, field: string, uid: number, changes: ContainerSecurityContextProps | undefined,
): ContainerSecurityContextProps {
  const merged = { ...restrictedContainerSecurityContext(uid), ...(changes ?? {}) };
  if (changes?.user !== undefined) checkUserId(kind, path, `${field}.user`, changes.user);
  if (changes?.group !== undefined) checkUserId(kind, path, `${field}.group`, changes.group);
  if (merged.user === 0 && merged.ensureNonRoot !== false) {
    fail(kind, path, `${field}.user`, 0, 'is root with runAsNonRoot (ensureNonRoot) true: the kubelet refuses to start such a container; '
      + 'give a non-root user, or also set ensureNonRoot: false to run as root');
  }
  return merged;
}
