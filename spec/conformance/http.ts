import type { EvidenceRecorder } from './wire/evidence.ts';

/** One HTTP exchange as the harness saw it. */
export interface HttpExchange {
  status: number;
  contentType: string;
  headers: Headers;
  /** The body parsed as JSON when it is JSON, else its text. */
  body: unknown;
  text: string;
  durationMs: number;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  token?: string;
  /** A JSON value to send, or a raw string body. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** The target's HTTP side, every exchange recorded as evidence. Throws only when no answer came. */
export class HttpProbe {
  constructor(
    private readonly baseUrl: string,
    private readonly recorder: EvidenceRecorder,
  ) {}

  async send(req: HttpRequest): Promise<HttpExchange> {
    const method = req.method ?? 'GET';
    const url = new URL(req.path, this.baseUrl).toString();
    const headers: Record<string, string> = { ...req.headers };
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    let body: string | undefined;
    if (req.rawBody !== undefined) body = req.rawBody;
    else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    const start = performance.now();
    const timeoutMs = req.timeoutMs ?? 5_000;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const durationMs = Math.round(performance.now() - start);
      this.recorder.add({ kind: 'http', method, url, requestBody: req.body ?? req.rawBody, durationMs });
      const cause = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeFetchError(err);
      throw new HttpUnreachable(`${method} ${req.path}: ${cause}`);
    }
    const text = await res.text();
    const durationMs = Math.round(performance.now() - start);
    const contentType = res.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (contentType.includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    this.recorder.add({
      kind: 'http',
      method,
      url,
      status: res.status,
      requestBody: req.body ?? (req.rawBody !== undefined ? `(${req.rawBody.length} bytes)` : undefined),
      responseBody: parsed,
      durationMs,
    });
    return { status: res.status, contentType, headers: res.headers, body: parsed, text, durationMs };
  }

  get(path: string, token?: string): Promise<HttpExchange> {
    return this.send({ path, token });
  }
}

/** The target did not answer an HTTP request at all. */
export class HttpUnreachable extends Error {
  override name = 'HttpUnreachable';
}

export function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
