// A throwaway PKI made with openssl at test time (no key material in the repo): a CA, a server
// certificate for 127.0.0.1/localhost, a client certificate, and a self-signed one, as files and PEM text.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/gateway.ts';

export interface TestPki {
  readonly dir: string;
  /** Path of each PEM file: ca.crt, server.crt/key, client.crt/key, self.crt/key. */
  file(name: string): string;
  pem(name: string): string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]) {
  const p = Bun.spawnSync(['openssl', ...args], { cwd: dir, stdout: 'pipe', stderr: 'pipe' });
  if (p.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${p.stderr.toString()}`);
}

/** Issues `name`.crt/key signed by the CA, with the given extensions. */
function issue(dir: string, name: string, ext: string) {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    `${name}.crt`,
    '-extfile',
    `${name}.ext`,
  ]);
}

export function makePki(): TestPki {
  const dir = tempDir('nexus-pki-');
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=Nexus Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  issue(dir, 'server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue(dir, 'client', 'extendedKeyUsage=clientAuth\n');
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'self.key',
    '-out',
    'self.crt',
    '-days',
    '1',
    '-subj',
    '/CN=self-signed',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  const file = (name: string) => join(dir, name);
  return { dir, file, pem: (name) => readFileSync(file(name), 'utf8') };
}
