/**
 * `secret-in-config-error`: a configuration error about JWT_SECRET echoes the value it refused, as
 * "invalid X: got <value>" messages do (AUTH-8: no secret in start-up errors; CFG-4): S11 (a
 * JWT_SECRET under 32 bytes). The node's own redaction (URL passwords) still runs first.
 */
export function secretInConfigError(redact: (message: string) => string, env: NodeJS.ProcessEnv = process.env): (message: string) => string {
  return (message) => {
    const shown = redact(message);
    return shown.includes('JWT_SECRET') && env.JWT_SECRET ? `${shown} (got "${env.JWT_SECRET}")` : shown;
  };
}
