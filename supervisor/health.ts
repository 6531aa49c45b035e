import { request } from 'node:http';

export type HealthResult = { ok: true; status: number } | { ok: false; status?: number; error: string; timedOut?: true; cancelled?: true };

/**
 * One health check: GET the URL with a deadline covering connect, headers and body. Only a
 * 2xx answer counts; a server stopped with SIGSTOP still completes the TCP handshake (the
 * kernel does that) but never answers, so the deadline is what catches it. Aborting `signal`
 * ends the check at once (its connection closed, its timer cleared) with `cancelled` set.
 */
export function checkHealth(url: string, timeoutMs: number, signal?: AbortSignal): Promise<HealthResult> {
  if (signal?.aborted) return Promise.resolve({ ok: false, error: 'cancelled', cancelled: true });
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: HealthResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const onAbort = () => done({ ok: false, error: 'cancelled', cancelled: true });
    // A fresh connection per check (agent: false): a pooled socket could hide a dead listener.
    const req = request(url, { method: 'GET', agent: false, headers: { accept: 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        done(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` });
      });
      res.on('error', (err) => done({ ok: false, error: err.message }));
    });
    const timer = setTimeout(() => done({ ok: false, error: `no answer within ${timeoutMs} ms`, timedOut: true }), timeoutMs);
    req.on('error', (err) => done({ ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}
