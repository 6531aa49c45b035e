import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFaultLink } from '../../testbed/fault-proxy/fault-link.ts';
import { targetTls } from '../../testbed/fault-proxy/target-tls.ts';
import { targetTlsOptions } from '../../testbed/clients/target-tls-options.ts';
import { selfSignedCertificate, startTlsTerminator, type TlsTerminator } from '../../testbed/services/tls-terminator.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';
import { runCli } from '../../testing/run-cli.ts';
import { waitFor } from '../../testbed/wait.ts';

/**
 * The fault link in front of an https target: a reference server behind a TLS terminator whose certificate
 * names only `localhost` (not 127.0.0.1, the address the clients dial through the proxy). The clients must
 * send `localhost` as SNI and verify the certificate against it, with the CA the run trusts and no other.
 */
const SECRET = 'tls-link-secret-that-must-never-be-printed-0123456789';
const ENV_NAME = 'SOCKPROOF_TEST_TLS_LINK_SECRET';
const SMALL = ['--clients', '3', '--rate', '4', '--phase-ms', '1000', '--timeout', '120', '--json'];

/** A socket.io client through the link: connected, or the connect_error's message. */
function tryConnect(url: string, opts: ReturnType<typeof targetTlsOptions>): Promise<string> {
  const socket = io(url, { auth: {}, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5_000, ...opts });
  return new Promise((resolve) => {
    socket.once('connect', () => (socket.disconnect(), resolve('connected')));
    socket.once('connect_error', (err: Error & { description?: { message?: string }; data?: { code?: string } }) => {
      socket.disconnect();
      resolve(`${err.message}: ${err.data?.code ?? ''} ${String((err.description as { message?: string } | undefined)?.message ?? err.description ?? '')}`);
    });
  });
}

interface ScenarioOut {
  name: string;
  verdict: string;
  reason: string;
  figures: Record<string, unknown>;
  history: Record<string, unknown>;
}

describe('the fault link in front of an https target', () => {
  let server: ServerProcess;
  let dir: string;
  let front: TlsTerminator;
  let wrongCa: string;
  beforeAll(async () => {
    server = await startServer({ secret: SECRET, env: { LOG_LEVEL: 'warn' } });
    dir = await mkdtemp(join(tmpdir(), 'sockproof-tls-link-'));
    front = await startTlsTerminator({ upstreamPort: server.port, hostname: 'localhost', dir });
    wrongCa = (await selfSignedCertificate(dir, 'localhost', 'wrong-ca')).certFile;
  });
  afterAll(async () => {
    await front?.close();
    await server?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Writes a staging config naming the https node, trusting `caFile`; returns its path. */
  async function writeConfig(name: string, caFile: string, scenarios: string[]): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify({ nodes: [{ name: 'node-1', url: front.url }], auth: { kind: 'hs256', secret: { env: ENV_NAME } }, tls: { caFile }, scenarios }));
    return file;
  }
  const runWithSecret = (args: string[], timeoutMs: number) => runCli(args, timeoutMs, { [ENV_NAME]: SECRET });

  it('verifies the certificate against the target\'s name, not the proxy address the client dials', async () => {
    const cert = new X509Certificate(await readFile(front.caFile)).toLegacyObject();
    // The certificate names localhost only: dialling 127.0.0.1 and checking that name would be refused...
    expect(targetTls(new URL('https://127.0.0.1:1')).checkServerIdentity('127.0.0.1', cert)?.message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
    // ...while the target's own name passes, whatever address was dialled.
    expect(targetTls(new URL(front.url)).checkServerIdentity('127.0.0.1', cert)).toBeUndefined();
    expect(targetTls(new URL(front.url))).toMatchObject({ servername: 'localhost', host: new URL(front.url).host });
    // No SNI for an IP target (RFC 6066), still its own name to verify.
    expect(targetTls(new URL('https://10.0.0.5:8443')).servername).toBeUndefined();
  });

  it('a caller that does not carry the TLS name gets no https link; one that does dials the proxy, sends the target\'s SNI, and refuses a CA it does not trust', async () => {
    await expect(openFaultLink(front.url, 'tls-refused')).rejects.toThrow(/http: targets only/);
    const link = await openFaultLink(front.url, 'tls-link', { clientTls: true });
    try {
      expect(link.clientUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(link.clientTls?.servername).toBe('localhost');
      // This test process trusts only the system CAs: the terminator's self-signed certificate is refused
      // through the link, and the handshake reached the target with its name as SNI.
      const seen = front.servernames.length;
      const refused = await tryConnect(link.clientUrl, targetTlsOptions(link.clientTls));
      expect(refused).toMatch(/self.signed certificate/i);
      await waitFor('the refused handshake reaches the terminator', () => front.servernames.length > seen, 5_000, 20);
      expect(front.servernames.slice(seen)).toEqual(['localhost']);
    } finally {
      await link.close();
    }
  });

  it('sockproof chaos --config: latency and partition pass through the link over https, the CA from the config', async () => {
    const file = await writeConfig('staging.json', front.caFile, ['latency', 'partition', 'nemesis']);
    const seen = front.servernames.length;
    const r = await runWithSecret(['chaos', '--config', file, '--scenarios', 'latency,partition', '--cut-ms', '1000', ...SMALL], 180_000);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { scenarios: ScenarioOut[]; notes: string[] };
    const by = Object.fromEntries(out.scenarios.map((s) => [s.name, s]));
    for (const name of ['latency', 'partition']) {
      expect(by[name]!.verdict, by[name]!.reason).toBe('pass');
      expect(by[name]!.history).toMatchObject({ exactlyOnce: true, lost: 0, duplicated: 0 });
    }
    // The faults acted on the https clients: acks slowed by the added latency, every client cut and back.
    expect((by.latency!.figures.ackLatencyDuringMs as { p50: number }).p50).toBeGreaterThanOrEqual(200);
    expect(by.partition!.figures.disconnects).toBeGreaterThanOrEqual(3);
    // Every TLS connection, direct or through the link, named the target (none dialled without SNI).
    const names = front.servernames.slice(seen);
    expect(names.length).toBeGreaterThanOrEqual(6);
    expect(new Set(names)).toEqual(new Set(['localhost']));
    expect(out.notes.join('\n')).toMatch(/TLS trusted with .*ca\.pem/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  }, 200_000);

  it('sockproof chaos --config --schedule: the nemesis\'s partition and latency windows run over https', async () => {
    const file = await writeConfig('nemesis.json', front.caFile, ['nemesis']);
    const schedule = join(dir, 'schedule.json');
    await writeFile(schedule, JSON.stringify({ durationMs: 4_000, windows: [{ fault: 'partition', startMs: 500, healMs: 1_500 }, { fault: 'latency', startMs: 2_000, healMs: 3_000 }] }));
    const r = await runWithSecret(['chaos', '--config', file, '--schedule', schedule, ...SMALL], 180_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { scenarios: ScenarioOut[] };
    expect(out.scenarios[0]!.verdict, out.scenarios[0]!.reason).toBe('pass');
    expect(out.scenarios[0]!.reason).toMatch(/2 window\(s\)/);
    expect(out.scenarios[0]!.reason).not.toMatch(/left out/);
  }, 200_000);

  it('sockproof chaos --target https://: partition through the link with the CA the operator trusts by NODE_EXTRA_CA_CERTS', async () => {
    const r = await runCli(['chaos', '--target', front.url, '--jwt-secret', SECRET, '--scenarios', 'partition', '--cut-ms', '1000', ...SMALL], 120_000, { NODE_EXTRA_CA_CERTS: front.caFile });
    expect(r.code, r.stderr).toBe(0);
    const [partition] = (JSON.parse(r.stdout) as { scenarios: ScenarioOut[] }).scenarios;
    expect(partition!.verdict, partition!.reason).toBe('pass');
    expect(partition!.figures.disconnects).toBeGreaterThanOrEqual(3);
    const wrong = await runCli(['chaos', '--target', front.url, '--jwt-secret', SECRET, '--scenarios', 'partition', ...SMALL], 60_000, { NODE_EXTRA_CA_CERTS: wrongCa });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/self.signed|certificate/i);
  }, 200_000);

  it('a config trusting the wrong CA is refused before any scenario runs', async () => {
    const r = await runWithSecret(['chaos', '--config', await writeConfig('wrong-ca.json', wrongCa, ['latency']), ...SMALL], 60_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not reachable: .*(self.signed|certificate)/i);
    expect(r.stdout).not.toMatch(/PASS|"verdict":"pass"/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  }, 90_000);
});
