import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What makeCertificates wrote: each as a file under `dir` and as its contents. */
export interface TestCertificates {
  readonly dir: string;
  readonly ca: Buffer;
  readonly server: { cert: Buffer; key: Buffer };
  readonly client: { cert: Buffer; key: Buffer };
  readonly files: {
    ca: string;
    serverCert: string;
    serverKey: string;
    clientCert: string;
    clientKey: string;
  };
}

/**
 * With openssl, in `dir`: a CA, a server certificate for 127.0.0.1 and a client certificate, both
 * signed by the CA and valid for a day (for berth's own HTTPS and for a TLS engine's).
 */
export async function makeCertificates(dir: string): Promise<TestCertificates> {
  const openssl = async (...args: string[]) => {
    await run('openssl', args, { cwd: dir });
  };
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=berth test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  const sign = async (name: string, subject: string, extensions: string) => {
    await writeFile(join(dir, `${name}.ext`), extensions);
    await openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    );
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  };
  await sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await sign('client', '/CN=berth test client', 'extendedKeyUsage=clientAuth\n');
  const files = {
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  };
  return {
    dir,
    ca: await readFile(files.ca),
    server: { cert: await readFile(files.serverCert), key: await readFile(files.serverKey) },
    client: { cert: await readFile(files.clientCert), key: await readFile(files.clientKey) },
    files,
  };
}
