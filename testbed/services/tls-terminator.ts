import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

/**
 * An https front for a loopback server, as staging's TLS terminator or load balancer would be: a self-signed
 * certificate made with openssl for one host name (its own CA file), TLS ended here, bytes piped to the
 * server's plain port. It records the SNI name of every handshake, so that a test can see which
 * name the clients sent.
 */
export interface TlsTerminator {
  /** https://<hostname>:<port> */
  url: string;
  /** The self-signed certificate (the CA a client must trust). */
  caFile: string;
  /** SNI of each handshake, accepted or refused by the client, in order (false: none sent). */
  servernames: Array<string | false>;
  close(): Promise<void>;
}

/** Writes `<base>.pem` (a self-signed certificate naming only `hostname`, as DNS or IP) and `<base>-key.pem` into `dir`; returns the certificate's path. */
export async function selfSignedCertificate(dir: string, hostname: string, base = 'ca'): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, `${base}.pem`);
  const keyFile = join(dir, `${base}-key.pem`);
  const san = `subjectAltName=${isIP(hostname) ? 'IP' : 'DNS'}:${hostname}`;
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${hostname}`, '-addext', san]);
  return { certFile, keyFile };
}

/** Listens on 127.0.0.1 with a fresh certificate for `hostname` (written into `dir`), in front of 127.0.0.1:`upstreamPort`. */
export async function startTlsTerminator(opts: { upstreamPort: number; hostname: string; dir: string }): Promise<TlsTerminator> {
  const { certFile, keyFile } = await selfSignedCertificate(opts.dir, opts.hostname);
  const servernames: Array<string | false> = [];
  const open = new Set<net.Socket>();
  const server = tls.createServer({ key: await readFile(keyFile), cert: await readFile(certFile) }, (client) => {
    servernames.push(client.servername || false);
    const upstream = net.connect(opts.upstreamPort, '127.0.0.1');
    open.add(client).add(upstream);
    client.once('close', () => open.delete(client));
    upstream.once('close', () => open.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  // A client that refuses the certificate ends the handshake with an alert: not an error here, but its SNI counts.
  server.on('tlsClientError', (_err, socket) => servernames.push(socket.servername || false));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${isIP(opts.hostname) === 6 ? `[${opts.hostname}]` : opts.hostname}:${port}`,
    caFile: certFile,
    servernames,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
