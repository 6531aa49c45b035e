import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerConfig } from '../config.ts';

/*
 * Defects in how a node takes its place on the machine (TRN-8, CFG-1, CFG-5, OPS-5): what a server
 * written for a container, or before the configuration contract (SPEC section 17), plausibly does.
 * S11 observes the bound address on the wire (a server bound to 127.0.0.1 refuses a connection to
 * 127.0.0.2, which Linux also routes to the loopback interface), the port file, and C39 the log level.
 */

/** `binds-all-interfaces`: without HOST the node listens on every interface, as a container image's default does (TRN-8): S11. */
export function allInterfacesByDefault(where: ServerConfig['listen'], hostSet: boolean): ServerConfig['listen'] {
  return hostSet ? where : { ...where, host: '0.0.0.0' };
}

/** `host-ignored`: the node listens on every interface whatever HOST says (CFG-1): S11. The `listening` line still names HOST. */
export function hostIgnored(where: ServerConfig['listen']): ServerConfig['listen'] {
  return { ...where, host: '0.0.0.0' };
}

/**
 * The variables a faulty build never reads (`port-file-ignored`: SOCKPROOF_PORT_FILE, OPS-5 and
 * CFG-1; `log-level-ignored`: LOG_LEVEL, CFG-5; `port-ignored`: PORT; `jwt-secret-ignored`: JWT_SECRET):
 * left out of the environment the node's configuration is read from (main.ts, configEnv).
 */
export function withoutVariables(env: NodeJS.ProcessEnv, names: readonly string[]): NodeJS.ProcessEnv {
  const kept = { ...env };
  for (const name of names) delete kept[name];
  return kept;
}

/** Whether HOST is set (an empty variable is unset, section 17). */
export function hostIsSet(env: NodeJS.ProcessEnv): boolean {
  return (env.HOST ?? '').trim() !== '';
}

/**
 * `data-dir-ignored`: the node stores in a temporary directory of each process, as a server written for
 * a container with a volume it never mounted does (CFG-1). A restart finds nothing it acked: S10.
 */
export function dataDirOfItsOwn(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'sockproof-fault-data-')) };
}

/** `listening-line-without-port`: the `listening` line names the host only (OPS-5): S11. */
export function listeningWithoutPort<T extends { port: number }>(fields: T): Partial<T> {
  const { port: _port, ...rest } = fields;
  return rest as Partial<T>;
}
