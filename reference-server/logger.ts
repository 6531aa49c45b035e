import pino from 'pino';
import type { ServerConfig } from './config.ts';

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
  });
}
