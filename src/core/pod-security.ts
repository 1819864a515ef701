/**
 * Pod Security Standards `restricted` settings shared by every pod the library
 * renders (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).
 * Internal helper.
 */
import { Capability, ContainerSecurityContextProps, SeccompProfileType } from 'cdk8s-plus-28';

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
