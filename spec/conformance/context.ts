import type { z } from 'zod';
import type { Counterexample } from '../../reports/schema.ts';
import type { Role } from '../auth.ts';
import type { ErrorCode } from '../errors.ts';
import type { PartialRateLimitTable } from '../limits.ts';
import type { AckData, ClientEventName, PayloadIn } from '../events.ts';
import { AdminChannelResponse, HTTP_PATHS, SocketMetrics, type SpecDocument } from '../http.ts';
import { describeAck, readAck, type AckReading } from './ack.ts';
import { CheckFailed, CheckInconclusive, CheckUnimplemented, requirementsOf, type CheckRun, type Need } from './check.ts';
import { HttpProbe } from './http.ts';
import { DEFAULT_SOCKET_IO_PATH } from './preflight.ts';
import type { Target } from './target.ts';
import type { DependencyControl } from './dependencies.ts';
import type { TokenMinter, TokenSpec } from './tokens.ts';
import { WireConnection, type TransportName } from './wire/connection.ts';
import { EvidenceRecorder } from './wire/evidence.ts';

/** What the harness can do to the target, beyond talking to it. */
export interface Capabilities {
  harnessStarted: boolean;
  /** Present when the harness started the target's dependencies behind a fault proxy (--deps). */
  dependencies?: DependencyControl | undefined;
  /** Base URLs of other nodes of a multi-node target. */
  peers: string[];
  /** A command that starts the target under its supervisor (--supervisor-cmd): C21 starts it beside the target. */
  supervisorCommand?: string | undefined;
  /** How a harness-started deployment came up (several nodes started together on a fresh database). */
  deployment?: { nodesStartedTogether: number; freshDatabase: boolean; nodeStartFailures: string[] };
}

export interface ContextSettings {
  /** fast-check runs per property. */
  propertyRuns: number;
  /** fast-check seed; random per run when absent (and reported with any counterexample). */
  seed: number | undefined;
  /** Makes ids unique to this run: users, channels and message keys never collide with earlier runs. */
  runTag: string;
}

export interface TestUser {
  id: string;
  token: string;
  roles: Role[];
}

/**
 * Everything one check run can touch: the target, its published spec document, tokens, and
 * recorders. Each expectation is recorded as evidence; a failed one makes the check fail.
 * Connections opened here are closed when the check ends.
 */
export class CheckContext {
  readonly recorder = new EvidenceRecorder();
  private readonly connections: WireConnection[] = [];
  private readonly failures: string[] = [];
  private counter = 0;
  counterexample: z.infer<typeof Counterexample> | undefined;

  constructor(
    readonly checkId: string,
    readonly target: Target,
    /** GET /spec as the target published it before the harness relaxed any limit; null when it gave none (V01 failed). */
    private readonly specDocument: SpecDocument | null,
    readonly tokens: TokenMinter,
    private readonly adminTokenValue: string,
    readonly capabilities: Capabilities,
    readonly settings: ContextSettings,
    /** The limits the harness runs with so that it does not throttle itself (FIX-2). */
    readonly harnessLimits: PartialRateLimitTable,
  ) {}

  /** Puts the harness's relaxed limits back (after a check that restored the published ones). */
  async relaxLimits(): Promise<void> {
    const res = await this.http.send({ method: 'PUT', path: HTTP_PATHS.adminLimits, token: this.adminTokenValue, body: this.harnessLimits });
    if (res.status !== 200) throw new CheckInconclusive(`fixture PUT ${HTTP_PATHS.adminLimits} answered ${res.status}`);
  }

  /** The target's spec document. Only `socket.io`-foundation checks run without one, and they never read it. */
  get spec(): SpecDocument {
    if (!this.specDocument) throw new Error(`${this.checkId} read GET /spec, but it runs without a spec document (foundation socket.io)`);
    return this.specDocument;
  }

  /** Where the target serves Socket.IO: as published, or Socket.IO's default when it published nothing. */
  get transportPath(): string {
    return this.specDocument?.transport.path ?? DEFAULT_SOCKET_IO_PATH;
  }

  get http(): HttpProbe {
    return new HttpProbe(this.target.url, this.recorder);
  }

  get adminToken(): string {
    return this.adminTokenValue;
  }

  /** An id unique to this run and check, valid as a user id, channel id and clientMsgId. */
  uniqueId(prefix: string): string {
    return `${prefix}.${this.settings.runTag}.${this.checkId.toLowerCase()}.${++this.counter}`;
  }

  async user(prefix: string, roles: Role[] = ['member'], extra: Partial<TokenSpec> = {}): Promise<TestUser> {
    const id = this.uniqueId(prefix);
    return { id, roles, token: await this.tokens.mint({ sub: id, roles, ...extra }) };
  }

  requireNeeds(needs: readonly Need[]): void {
    const have: Record<Need, () => boolean> = {
      'harness-started': () => this.capabilities.harnessStarted,
      'dependency-control': () => this.capabilities.dependencies !== undefined,
      'multi-node': () => this.capabilities.peers.length > 0,
      'nodes-started-together': () => (this.capabilities.deployment?.nodesStartedTogether ?? 1) > 1 && this.capabilities.deployment?.freshDatabase === true,
      supervisor: () => this.capabilities.supervisorCommand !== undefined,
      // Read only when needed: a socket.io-foundation check runs without a spec document.
      fixtures: () => this.spec.features.fixtures,
    };
    const missing = needs.filter((n) => !have[n]());
    const said = missing.map((n) => (n === 'fixtures' ? 'fixtures (the target turned them off: features.fixtures is false in GET /spec, FIX-3)' : n));
    if (missing.length > 0) throw new CheckUnimplemented(`needs ${said.join(', ')}`, requirementsOf(missing));
  }

  /** Opens an Engine.IO session (no namespace yet). */
  async open(
    label: string,
    opts: { transports?: TransportName[]; upgrade?: boolean; extraHeaders?: Record<string, string>; url?: string } = {},
  ): Promise<WireConnection> {
    const conn = await WireConnection.open({ url: opts.url ?? this.target.url, label, recorder: this.recorder, ...opts });
    this.connections.push(conn);
    return conn;
  }

  /** Opens a session and connects to "/" as the user; a refused or failed handshake stops the check. */
  async connectAs(label: string, user: TestUser, opts: Parameters<CheckContext['open']>[1] = {}): Promise<WireConnection> {
    const conn = await this.open(label, opts);
    const outcome = await conn.connect({ token: user.token });
    this.require(outcome.kind === 'connected', `${label} (${user.id}) connects`, JSON.stringify(outcome));
    return conn;
  }

  /** Creates a channel through the fixture (FIX-1); the scene cannot be set without it. */
  async channel(opts: { private?: boolean; members?: string[]; prefix?: string; url?: string } = {}): Promise<string> {
    const id = this.uniqueId(opts.prefix ?? 'ch');
    const http = opts.url ? new HttpProbe(opts.url, this.recorder) : this.http;
    const res = await http.send({
      method: 'POST',
      path: HTTP_PATHS.adminChannels,
      token: this.adminTokenValue,
      body: { id, private: opts.private ?? false, members: opts.members ?? [] },
    });
    if ((res.status !== 201 && res.status !== 200) || !AdminChannelResponse.safeParse(res.body).success) {
      throw new CheckInconclusive(`fixture POST ${HTTP_PATHS.adminChannels} answered ${res.status}: ${res.text.slice(0, 200)}`);
    }
    return id;
  }

  async metrics(): Promise<SocketMetrics> {
    const res = await this.http.get(HTTP_PATHS.socketMetrics);
    const parsed = SocketMetrics.safeParse(res.body);
    if (res.status !== 200 || !parsed.success) throw new CheckInconclusive(`GET ${HTTP_PATHS.socketMetrics} answered ${res.status} without SocketMetrics`);
    return parsed.data;
  }

  /** Records an expectation; a false one makes the check fail at its end. Returns ok. */
  expect(ok: boolean, expected: string, actual: string): boolean {
    this.recorder.expectation(expected, actual, ok);
    if (!ok) this.failures.push(`expected ${expected}, got ${actual}`);
    return ok;
  }

  /** An expectation the rest of the check depends on: a false one ends the check now. */
  require(ok: boolean, expected: string, actual: string): asserts ok {
    if (!this.expect(ok, expected, actual)) throw new CheckFailed(`expected ${expected}, got ${actual}`);
  }

  /** Emits an event with a callback and reads the ack. */
  async call(conn: WireConnection, event: string, args: unknown[], timeoutMs = 5_000): Promise<AckReading> {
    return readAck(event, await conn.request(event, args, timeoutMs));
  }

  /** Emits a spec event that must succeed; the ack's data is returned, typed by the spec's tables. */
  async ok<E extends ClientEventName>(conn: WireConnection, event: E, payload: PayloadIn<E>, what?: string): Promise<AckData<E>> {
    const reading = await this.call(conn, event, [payload]);
    this.require(reading.kind === 'ok', `${what ?? event} acked ok`, describeAck(reading));
    return reading.data as AckData<E>;
  }

  /** Emits an event that must be refused with that code; returns the reading. */
  async refused(conn: WireConnection, event: string, args: unknown[], code: ErrorCode, what?: string): Promise<AckReading> {
    const reading = await this.call(conn, event, args);
    this.expect(reading.kind === 'error' && reading.code === code, `${what ?? event} answered ${code}`, describeAck(reading));
    return reading;
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  closeAll(): void {
    for (const c of this.connections) c.close();
  }

  /** The run's outcome from what was recorded, or from how it ended. */
  conclude(ending: unknown): CheckRun {
    const ce = this.counterexample ? { counterexample: this.counterexample } : {};
    if (ending instanceof CheckUnimplemented) return { outcome: 'unimplemented', message: ending.message, ...(ending.missing.length ? { missing: ending.missing } : {}) };
    if (this.failures.length > 0) {
      const more = this.failures.length > 1 ? ` (+${this.failures.length - 1} more)` : '';
      return { outcome: 'fail', message: `${this.failures[0]}${more}`, ...ce };
    }
    if (ending instanceof CheckFailed) return { outcome: 'fail', message: ending.message, ...ce };
    if (ending instanceof CheckInconclusive) return { outcome: 'inconclusive', message: ending.message };
    if (ending !== undefined) {
      const err = ending instanceof Error ? `${ending.name}: ${ending.message}` : String(ending);
      return { outcome: 'inconclusive', message: `the check raised ${err}` };
    }
    return { outcome: 'pass', message: 'as specified' };
  }
}
