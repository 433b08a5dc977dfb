import { generate } from 'selfsigned';

// A certificate for `localhost`, made fresh at each start, that is its own CA: the local PostgreSQL
// serves it, and a function that verifies TLS (DATABASE_SSL=verify-full) is given it as an extra trusted
// root, standing in for the Amazon roots RDS Proxy's certificate chains to in AWS.

export interface LocalCertificate {
  cert: string;
  key: string;
}

export async function localhostCertificate(): Promise<LocalCertificate> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
