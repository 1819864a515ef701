/**
 * Asking the API server's authorizer what a user may do: SubjectAccessReviews
 * POSTed as the admin (many at once), and `kubectl auth can-i --list` as the
 * user (a SelfSubjectRulesReview through impersonation), parsed.
 */
import { api, kubectlOk } from './cluster';

/** One request a user could make, as the authorizer sees it. */
export interface Access {
  readonly verb: string;
  /** API group, '' for the core group. */
  readonly group: string;
  /** Resource, with its subresource after a slash (`pods/exec`). */
  readonly resource: string;
  /** Namespace; '' or undefined for cluster scope (or every namespace, for list/watch). */
  readonly namespace?: string;
  /** Object name (for rules with `resourceNames`). */
  readonly name?: string;
}

/** A ServiceAccount as the authenticator presents it: user name and groups. */
export function serviceAccountUser(namespace: string, name: string): { user: string; groups: string[] } {
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

/** Whether the authorizer allows `access` to the ServiceAccount `namespace/name` (one SubjectAccessReview). */
export async function isAllowed(sa: { namespace: string; name: string }, access: Access): Promise<boolean> {
  const [resource, subresource] = access.resource.split('/');
  const review = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      ...serviceAccountUser(sa.namespace, sa.name),
      resourceAttributes: {
        verb: access.verb, group: access.group, resource, subresource, namespace: access.namespace || undefined, name: access.name,
      },
    },
  };
  const response = await api('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review);
  if (response.status !== 201) throw new Error(`SubjectAccessReview ${JSON.stringify(access)}: ${response.status} ${response.body}`);
  return JSON.parse(response.body).status.allowed === true;
}

/** `isAllowed` for each access (20 requests at a time), in order. */
export async function allowedEach(sa: { namespace: string; name: string }, accesses: readonly Access[]): Promise<boolean[]> {
  const results: boolean[] = [];
  for (let i = 0; i < accesses.length; i += 20) {
    results.push(...await Promise.all(accesses.slice(i, i + 20).map((a) => isAllowed(sa, a))));
  }
  return results;
}

/**
 * `kubectl auth can-i --list -n <namespace> --as=<user>`, one entry per
 * resource (or non-resource URL), resource names and verb:
 * `deployments.apps [] get`, `leases.coordination.k8s.io [lock] update`, `[/api] get`.
 */
export function canIList(namespace: string, user: string): Set<string> {
  const out = kubectlOk(['auth', 'can-i', '--list', '-n', namespace, `--as=${user}`, '--no-headers']);
  const entries = new Set<string>();
  for (const line of out.split('\n').filter((l) => l.trim())) {
    const match = /^(\S*)\s*\[([^\]]*)\]\s+\[([^\]]*)\]\s+\[([^\]]*)\]\s*$/.exec(line);
    if (!match) throw new Error(`kubectl auth can-i --list: cannot parse the line '${line}'`);
    const [, resource, urls, names, verbs] = match;
    const what = resource || `[${urls}]`;
    for (const verb of verbs.split(' ').filter((v) => v)) entries.add(`${what} [${names}] ${verb}`);
  }
  return entries;
}

/** `verb group/resource -n namespace name`, for short failure messages. */
export function accessText(a: Access): string {
  return `${a.verb} ${a.group || 'core'}/${a.resource} -n '${a.namespace ?? ''}'${a.name ? ` ${a.name}` : ''}`;
}
