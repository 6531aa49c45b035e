/** The version of the contract this package states and checks. */
export const SPEC_NAME = 'sockproof';
export const SPEC_VERSION = '1.0';
/** Socket.IO protocol revision (v4 server, Engine.IO 4) the contract is written for. */
export const SOCKET_IO_PROTOCOL = 5;
export const ENGINE_IO_PROTOCOL = 4;
