import autocannon from 'autocannon';

export interface HttpLoadOptions {
  url: string;
  path: string;
  durationS: number;
  connections: number;
  maxRequests: number;
}

export interface HttpLoadResult {
  kind: 'http';
  config: { url: string; durationS: number; connections: number; maxRequests: number };
  figures: {
    requests: number;
    reqPerSec: number;
    latencyMs: { p50: number; p97_5: number; p99: number; mean: number; max: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    elapsedS: number;
  };
}

/** GETs `path` with autocannon for `durationS` seconds or `maxRequests` requests, whichever comes first. */
export async function runHttpLoad(opts: HttpLoadOptions, signal?: AbortSignal): Promise<HttpLoadResult> {
  const url = new URL(opts.path, opts.url).toString();
  let instance: autocannon.Instance | undefined;
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        method: 'GET',
        connections: opts.connections,
        duration: opts.durationS,
        maxOverallRequests: Math.max(opts.maxRequests, opts.connections),
        timeout: 10,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    signal?.addEventListener('abort', () => instance?.stop(), { once: true });
  });
  const requests = r.requests.total;
  return {
    kind: 'http',
    config: { url, durationS: opts.durationS, connections: opts.connections, maxRequests: opts.maxRequests },
    figures: {
      requests,
      reqPerSec: Math.round((requests / Math.max(0.001, r.duration)) * 10) / 10,
      latencyMs: { p50: r.latency.p50, p97_5: r.latency.p97_5, p99: r.latency.p99, mean: r.latency.mean, max: r.latency.max },
      errors: r.errors,
      timeouts: r.timeouts,
      non2xx: r.non2xx,
      elapsedS: Math.round(r.duration * 100) / 100,
    },
  };
}
