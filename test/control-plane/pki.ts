/**
 * The control plane's certificates and keys, made with openssl at start: a
 * CA, the API server's serving certificate (for 127.0.0.1 and the in-cluster
 * names), client certificates for the admin (group `system:masters`), the
 * controller manager and the scheduler, and the service-account signing key
 * pair. Valid for two days; nothing leaves the plane's own folder.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Paths of the files `makePki` writes. */
export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPublicKey: string;
  /** Client certificate and key per user name (`admin`, `kube-controller-manager`, `kube-scheduler`). */
  readonly clients: Record<string, { readonly cert: string; readonly key: string }>;
}

/** The client users and the certificate subject of each. */
const CLIENTS: Record<string, string> = {
  'admin': '/O=system:masters/CN=admin',
  'kube-controller-manager': '/CN=system:kube-controller-manager',
  'kube-scheduler': '/CN=system:kube-scheduler',
};

const DAYS = '2';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A key and a certificate signed by the CA, with the given extensions. */
function signed(dir: string, name: string, subject: string, extensions: string): void {
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', `${name}.crt`, '-days', DAYS, '-extfile', `${name}.ext`]);
  fs.rmSync(path.join(dir, `${name}.csr`));
  fs.rmSync(path.join(dir, `${name}.ext`));
}

/**
 * Writes a fresh PKI into `dir` (created). Throws if openssl is missing or fails.
 */
export function makePki(dir: string): Pki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-days', DAYS, '-subj', '/CN=cdk8s-agents-control-plane-ca']);
  signed(dir, 'apiserver', '/CN=kube-apiserver', [
    'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  const clients: Record<string, { cert: string; key: string }> = {};
  for (const [user, subject] of Object.entries(CLIENTS)) {
    signed(dir, user, subject, 'extendedKeyUsage=clientAuth\n');
    clients[user] = { cert: path.join(dir, `${user}.crt`), key: path.join(dir, `${user}.key`) };
  }
  openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serverCert: path.join(dir, 'apiserver.crt'),
    serverKey: path.join(dir, 'apiserver.key'),
    serviceAccountKey: path.join(dir, 'sa.key'),
    serviceAccountPublicKey: path.join(dir, 'sa.pub'),
    clients,
  };
}
