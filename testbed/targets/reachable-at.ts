import { connect } from 'node:net';

/** Whether a TCP connection to host:port opens ('connected'), is refused, or neither within `timeoutMs`. */
export function reachableAt(host: string, port: number, timeoutMs = 2_000): Promise<'connected' | 'refused' | 'no answer' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('no answer'), timeoutMs);
    socket.once('connect', () => done('connected'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : `error ${err.code ?? err.message}`));
  });
}
