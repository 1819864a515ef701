/** The shared input rules of core: label maps, user and group ids, pull policies, Service names, the securityContext merge. */
import { restrictedSecurityContextWith } from '../../src/core/pod-security';
import {
  checkDns1035Label, checkDns1123Label, checkLabels, checkLabelValue, checkPullPolicy, checkUserId, MAX_ID,
} from '../../src/core/validation';
import { errorOf } from '../support/util';

describe('checkLabels', () => {
  test('returns a copy of valid labels', () => {
    const labels = { 'example.com/team': 'a_b.c-1', 'tier': '' };
    const checked = checkLabels('K', 'p', 'labels', labels);
    expect(checked).toEqual(labels);
    expect(checked).not.toBe(labels);
  });
  test.each([
    [{ 'a/b/c': 'x' }, "K 'p': labels key 'a/b/c' is not a valid label key"],
    [{ '': 'x' }, "K 'p': labels key '' is not a valid label key"],
    [{ team: 'Has Space' }, "K 'p': labels['team'] 'Has Space' is not a valid label value"],
    [{ team: 5 }, "K 'p': labels['team'] '5' is not a valid label value"],
  ])('%j is refused', (labels, expected) => {
    expect(errorOf(() => checkLabels('K', 'p', 'labels', labels as any))).toContain(expected);
  });
  test('a map is required', () => {
    expect(errorOf(() => checkLabels('K', 'p', 'labels', ['a'] as any))).toContain('is not a map of label keys to values');
  });
});

describe('checkUserId', () => {
  test.each([0, 1, 1000, MAX_ID])('accepts %p', id => expect(checkUserId('K', 'p', 'user', id)).toBe(id));
  test.each([-1, 1.5, NaN, Infinity, MAX_ID + 1])('refuses %p', id => {
    expect(errorOf(() => checkUserId('K', 'p', 'user', id))).toBe(`K 'p': user '${id}' is not a user or group id (an integer from 0 to 2147483647)`);
  });
  test('refuses root where the minimum is 1', () => {
    expect(errorOf(() => checkUserId('K', 'p', 'runAsUser', 0, 1))).toBe("K 'p': runAsUser '0' is not a non-root user or group id (an integer from 1 to 2147483647)");
  });
});

describe('checkPullPolicy', () => {
  test.each(['Always', 'IfNotPresent', 'Never'])('accepts %s', policy => expect(checkPullPolicy('K', 'p', 'pull', policy)).toBe(policy));
  test.each(['Sometimes', 'always', ''])('refuses %p', policy => {
    expect(errorOf(() => checkPullPolicy('K', 'p', 'pull', policy))).toBe(`K 'p': pull '${policy}' is not an image pull policy (Always, IfNotPresent, Never)`);
  });
});

describe('checkDns1035Label (Service names)', () => {
  test.each(['a', 'web-metrics', 'a'.repeat(63)])('accepts %p', name => expect(checkDns1035Label('K', 'p', 'name', name)).toBe(name));
  test.each(['1web', 'a'.repeat(64), 'web-', 'Web', 'a.b', ''])('refuses %p', name => {
    expect(errorOf(() => checkDns1035Label('K', 'p', 'name', name))).toContain(`K 'p': name '${name}' is not a valid Service name`);
  });
});

describe('names cdk8s would write as numbers', () => {
  test('0o17 is an RFC 1123 label, refused because cdk8s writes it unquoted and kubectl reads 15', () => {
    expect(errorOf(() => checkDns1123Label('K', 'p', 'name', '0o17'))).toContain("name '0o17' is written unquoted by cdk8s (YAML 1.1)");
    expect(errorOf(() => checkLabelValue('K', 'p', 'v', '0X1F'))).toContain("v '0X1F' is written unquoted by cdk8s (YAML 1.1)");
  });
  test('numbers cdk8s quotes itself stay valid names', () => {
    expect(checkDns1123Label('K', 'p', 'name', '0x1f')).toBe('0x1f');
    expect(checkDns1123Label('K', 'p', 'name', '1234')).toBe('1234');
    expect(checkLabelValue('K', 'p', 'v', 'true')).toBe('true');
  });
});

describe('restrictedSecurityContextWith', () => {
  test('merges the changes over the restricted defaults', () => {
    expect(restrictedSecurityContextWith('K', 'p', 'securityContext', 1000, { readOnlyRootFilesystem: false }))
      .toMatchObject({ ensureNonRoot: true, user: 1000, group: 1000, readOnlyRootFilesystem: false, privileged: false });
  });
  test('root only with ensureNonRoot false', () => {
    expect(restrictedSecurityContextWith('K', 'p', 'securityContext', 1000, { user: 0, ensureNonRoot: false })).toMatchObject({ user: 0, ensureNonRoot: false });
    expect(errorOf(() => restrictedSecurityContextWith('K', 'p', 'securityContext', 1000, { user: 0 })))
      .toContain("K 'p': securityContext.user '0' is root with runAsNonRoot (ensureNonRoot) true");
  });
  test('group 0 with runAsNonRoot is fine (the kubelet checks the user only)', () => {
    expect(restrictedSecurityContextWith('K', 'p', 'securityContext', 1000, { group: 0 })).toMatchObject({ user: 1000, group: 0 });
  });
});
