import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { childPids } from '../process-tree.ts';
import { isProcessAlive } from './exit-cleanup.ts';

export interface SpawnServiceOptions {
  cwd: string;
  /** Run as this OS user (PostgreSQL refuses root). Node drops supplementary groups when it switches. */
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const TAIL_LINES = 40;

/**
 * One run of a server binary. It gets its own process group (detached) so a crash can be simulated by
 * SIGKILLing the server together with its workers (PostgreSQL's backends), and keeps the last lines of its
 * output so a failed start can say why.
 */
export class ServiceProcess {
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  /** Children signalled with the group (outside it): waitGone waits for them too. */
  private readonly children: number[] = [];
  private partialLine = '';
  private exit: ProcessExit | undefined;
  private readonly lineWatchers = new Set<(line: string) => void>();

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: SpawnServiceOptions,
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Always drain both pipes: a server blocked on a full pipe looks like a hung server.
    this.child.stdout?.on('data', (chunk: Buffer) => this.onOutput(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.onOutput(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.child.once('error', (error) => {
        this.tail.push(`spawn failed: ${error.message}`);
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
    });
    this.pid = this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === undefined && this.pid > 0;
  }

  /** The last lines the server printed, joined for an error message. */
  output(lines = 8): string {
    return [...this.tail, this.partialLine].filter(Boolean).slice(-lines).join(' | ');
  }

  private onOutput(chunk: Buffer): void {
    const lines = (this.partialLine + chunk.toString('utf8')).split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) {
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
      for (const watch of this.lineWatchers) watch(line);
    }
  }

  /** Resolves when the server prints a line matching `ready`; rejects if it exits first or takes too long. */
  waitForLine(ready: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.lineWatchers.delete(watch);
        if (error) reject(error);
        else resolve();
      };
      const watch = (line: string) => {
        if (ready.test(line)) done();
      };
      const timer = setTimeout(() => done(new Error(`${this.name} not ready after ${timeoutMs} ms: ${this.output()}`)), timeoutMs);
      this.lineWatchers.add(watch);
      void this.exited.then((exit) => done(new Error(`${this.name} exited (${exit.signal ?? `code ${exit.code}`}) while starting: ${this.output()}`)));
    });
  }

  /** Sends a signal to the server, or to its whole process group. Never throws for a process already gone. */
  signal(signal: NodeJS.Signals, group = false): void {
    if (this.pid <= 0) return;
    // PostgreSQL's backends make themselves process-group leaders (setsid), so a signal to the group
    // misses them: a backend would go on answering its connection after the postmaster is gone. They
    // are found by parent pid before the server goes, and signalled too.
    const children = group ? childPids(this.pid) : [];
    for (const pid of [group ? -this.pid : this.pid, ...children]) {
      try {
        process.kill(pid, signal);
      } catch {
        // ESRCH: already gone.
      }
    }
    if (group) this.children.push(...children);
  }

  /** Resolves once the server and every process of its group are gone (or after timeoutMs). */
  async waitGone(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      this.exited.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer); // a pending timer would keep the test process alive
    if (!exited) return false;
    while (groupAlive(this.pid) || this.children.some(isProcessAlive)) {
      if (Date.now() > deadline) return false;
      await sleep(20);
    }
    return true;
  }

  /** Graceful stop with `signal`; falls back to SIGKILL of the whole group after graceMs. */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    if (this.running) {
      this.signal('SIGCONT'); // a server frozen by a test's SIGSTOP cannot handle SIGTERM
      this.signal(signal);
    }
    if (await this.waitGone(graceMs)) return;
    this.signal('SIGKILL', true);
    await this.waitGone(5_000);
  }

  /** Synchronous liveness for exit cleanup, where an exited but unreaped server must count as gone. */
  get alive(): boolean {
    return this.pid > 0 && isProcessAlive(this.pid);
  }
}

function groupAlive(pgid: number): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
