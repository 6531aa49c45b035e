import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/**
 * TLS as a client speaks it to an https target it reaches through the TCP fault proxy. The proxy passes TLS
 * through untouched, but the client dials 127.0.0.1:<proxy port>, so the target's own name has to be given
 * explicitly: as SNI (a load balancer may route by it), as the Host header, and as the name the certificate is
 * verified against. Verification stays on; only the name it checks is the target's instead of the proxy's.
 */
export interface TargetTls {
  /** SNI: the target's host name; undefined for an IP address (RFC 6066 allows no IP there). */
  servername: string | undefined;
  /** host[:port] of the target, for the Host header. */
  host: string;
  /** Verifies the certificate against the target's host, whatever address was dialled. */
  checkServerIdentity: (dialled: string, cert: PeerCertificate) => Error | undefined;
}

export function targetTls(target: URL): TargetTls {
  const hostname = target.hostname.replace(/^\[|\]$/g, '');
  return {
    servername: isIP(hostname) ? undefined : hostname,
    host: target.host,
    checkServerIdentity: (_dialled, cert) => checkServerIdentity(hostname, cert),
  };
}
