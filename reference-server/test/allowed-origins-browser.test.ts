// ALLOWED_ORIGINS (TRN-7) seen from a real browser: a page served from another origin (another
// loopback port) connects with socket.io-client in headless Chromium and writes the outcome into its DOM.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../spec/index.ts';
import { REPO_ROOT } from '../../testbed/repo-root.ts';
import { startServer, type ServerProcess } from '../../testing/server-process.ts';

const CHROMIUM = '/usr/bin/chromium';
const CLIENT_BUNDLE = readFileSync(join(REPO_ROOT, 'node_modules/socket.io-client/dist/socket.io.min.js'));
/** The page holds its load event until it has a result, so that --dump-dom shows it; never longer than this. */
const RESULT_WAIT_MS = 15_000;

/**
 * A page server on its own port (its own origin): `/` connects to the chat server and writes
 * `connected` or `refused: <message>` into #result; `/hold`, an image at the end of the page, answers
 * once the page has posted its result, which holds the load event until then.
 */
class PageOrigin {
  private readonly server: Server;
  private resultPosted: () => void = () => {};
  private readonly posted = new Promise<void>((r) => (this.resultPosted = r));
  constructor(chatUrl: () => string, token: () => string) {
    this.server = createServer((req, res) => {
      if (req.url === '/socket.io.min.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(CLIENT_BUNDLE);
      if (req.url === '/result') {
        this.resultPosted();
        return void res.writeHead(204).end();
      }
      if (req.url === '/hold') {
        const timer = setTimeout(() => res.writeHead(204).end(), RESULT_WAIT_MS);
        return void this.posted.then(() => {
          clearTimeout(timer);
          res.writeHead(204).end();
        });
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><body><p id="result">pending</p>
<script src="/socket.io.min.js"></script>
<script>
  const show = (text) => { document.getElementById('result').textContent = text; fetch('/result', { method: 'POST' }); };
  const socket = io(${JSON.stringify(chatUrl())}, { auth: { token: ${JSON.stringify(token())} }, reconnection: false });
  socket.on('connect', () => show('connected'));
  socket.on('connect_error', (err) => show('refused: ' + err.message));
</script>
<img src="/hold" alt=""></body></html>`);
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }
  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

/** What #result says once the page in headless Chromium has connected or been refused. */
async function resultIn(pageUrl: string): Promise<string> {
  const { stdout } = await promisify(execFile)(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', pageUrl], { timeout: RESULT_WAIT_MS + 30_000 });
  return /<p id="result">([^<]*)<\/p>/.exec(stdout)?.[1] ?? `no #result in: ${stdout.slice(0, 200)}`;
}

describe.skipIf(!existsSync(CHROMIUM))(`ALLOWED_ORIGINS from a page of another origin in headless Chromium (skipped when ${CHROMIUM} is absent)`, () => {
  let server: ServerProcess;
  let token = '';
  const allowed = new PageOrigin(() => server.url, () => token);
  const other = new PageOrigin(() => server.url, () => token);
  let allowedUrl: string;
  let otherUrl: string;
  beforeAll(async () => {
    [allowedUrl, otherUrl] = await Promise.all([allowed.listen(), other.listen()]);
    server = await startServer({ env: { ALLOWED_ORIGINS: allowedUrl } });
    token = await mintToken(server.secret, { sub: 'browser-user' });
  }, 90_000);
  afterAll(async () => {
    allowed.close();
    other.close();
    await server?.dispose();
  });

  it('a page from an allowed origin connects', async () => {
    expect(await resultIn(allowedUrl)).toBe('connected');
  }, 60_000);

  it('a page from an origin not in the list is refused', async () => {
    expect(await resultIn(otherUrl)).toMatch(/^refused: /);
  }, 60_000);
});
