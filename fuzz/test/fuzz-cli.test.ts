import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneErrorLine, runCli } from '../../testing/run-cli.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

const SECRET = 'f'.repeat(40);

describe('sockproof fuzz against the reference server', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ secret: SECRET, env: { LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('thousands of hostile frames over both transports leave every other user served, no breaker opened', async () => {
    const r = await runCli(['fuzz', '--target', server.url, '--jwt-secret', SECRET, '--frames', '2000', '--batch', '250', '--seed', '11', '--json'], 180_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ kind: 'fuzz', verdict: 'pass', seed: 11 });
    expect(out.figures.byTransport).toEqual({ websocket: 1000, polling: 1000 });
    expect(out.figures.livenessChecks).toBe(8);
    // The server ended many of the member's sessions on bad frames, and the run carried on with new ones.
    expect(out.figures.sessionsEndedByServer).toBeGreaterThan(10);
    expect(out.notes.join('\n')).toMatch(/relaxation sockproof-run-[0-9a-f]+ ended with DELETE/);
  }, 200_000);

  it('refuses bad bounds with one line, exit 2', async () => {
    const r = await runCli(['fuzz', '--target', server.url, '--jwt-secret', SECRET, '--frames', '0']);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toMatch(/--frames takes a whole number from 1 to 1000000/);
  });
});

/** Faulty builds the fuzzer must catch: a crash on a bad payload, and store errors from client input opening the breaker (issue 11, finding 1). */
const FAULTY = [
  { fault: 'crash-on-bad-payload', symptom: /exited|could not|GET \/health/ },
  { fault: 'unvalidated-store-input', symptom: /circuit|unhealthy|breaker/ },
];

describe('sockproof fuzz against deliberately faulty servers', () => {
  for (const { fault, symptom } of FAULTY) {
    it(`${fault}: caught, with the seed and the frames of the batch that broke it`, async () => {
      const r = await runCli(
        ['fuzz', '--server-cmd', `"${process.execPath}" bin/sockproof.mjs serve`, '--env', 'LOG_LEVEL=warn', '--env', `SOCKPROOF_FAULTS=${fault}`, '--frames', '3000', '--batch', '250', '--seed', '11', '--json'],
        180_000,
      );
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ verdict: 'fail', seed: 11 });
      expect(out.breaking.symptom).toMatch(symptom);
      expect(out.breaking.frames.length).toBeGreaterThan(0);
      expect(out.reason).toMatch(/after batch \d+/);
    }, 200_000);
  }
});
