import pino from 'pino';
import type { ServerConfig } from './config.ts';
import { redactUrlsIn } from '../spec/redact.ts';

export type Logger = pino.Logger;

/**
 * Structured JSON lines on stdout (OPS-3). Anything that could carry a credential is redacted
 * (AUTH-8): handlers never log tokens, and this is the net under that rule.
 */
export function createLogger(level: ServerConfig['logLevel'], base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { pid: process.pid, ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['token', '*.token', 'auth', '*.auth', 'authorization', '*.authorization', 'headers.authorization', 'secret', '*.secret'],
      censor: '[redacted]',
    },
    formatters: { level: (label) => ({ level: label }) },
    // A driver's error may quote the URL it was given: no password leaves in a log line (AUTH-8).
    serializers: { err: redactedError },
  });
}

function redactedError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error) as unknown;
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  for (const key of ['message', 'stack'] as const) {
    const value = (serialized as Record<string, unknown>)[key];
    if (typeof value === 'string') (serialized as Record<string, unknown>)[key] = redactUrlsIn(value);
  }
  return serialized;
}
