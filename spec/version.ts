import { readFileSync } from 'node:fs';

/** The version of the contract this package states and checks. */
export const SPEC_NAME = 'sockproof';
export const SPEC_VERSION = '1.0';
/** Engine.IO protocol revision (Socket.IO v4 server, Socket.IO protocol 5) the contract is written for. */
export const ENGINE_IO_PROTOCOL = 4;

/**
 * This package's own version (package.json), which the server states in GET /spec and the harness in its
 * reports. Read here, in a file directly under a top-level folder: the path resolves the same in dist/.
 */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
