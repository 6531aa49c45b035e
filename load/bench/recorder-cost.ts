/**
 * What recording a load run's deliveries costs, per delivery, in one process (no sockets, no server): the
 * lean recorder's columns against one object per delivery (HistoryRecorder) and a baseline that records no
 * delivery, alternated, each fed the same messages, every delivery's strings made by JSON.parse as a socket's
 * are. Prints CPU, memory retained, and the time to build the history and judge it. A measurement, never a test:
 *
 *   node --expose-gc --import tsx load/bench/recorder-cost.ts [messages=20000] [members=50]
 */
import { HistoryRecorder } from '../../testbed/history/recorder.ts';
import { runCheckers } from '../../testbed/history/checkers/index.ts';
import { LeanHistoryRecorder } from '../lean-recorder.ts';

const MESSAGES = Number(process.argv[2] ?? 20_000);
const MEMBERS = Number(process.argv[3] ?? 50);
const CH = 'sp-load-cost';

/** Records the joins and sends, not the deliveries: what every recorder pays anyway. */
class WithoutDeliveries extends HistoryRecorder {
  override deliver(): void {}
}

function play(recorder: HistoryRecorder): void {
  const users = Array.from({ length: MEMBERS }, (_, i) => `u${i}-load-cost`);
  for (const u of users) recorder.invoke({ f: 'join', process: u, value: { channelId: CH } }).complete('ok');
  for (let j = 0; j < MESSAGES; j++) {
    const author = users[j % MEMBERS]!;
    const clientMsgId = `load-cost-${author}-${j}`;
    const op = recorder.invoke({ f: 'send', process: author, value: { channelId: CH, authorId: author, clientMsgId, attempt: 1, text: `sockproof ${clientMsgId}` } });
    const id = `0193${j.toString(16).padStart(8, '0')}-aaaa-bbbb-cccccccccccc`;
    op.complete('ok', { id, seq: j + 1 });
    const wire = JSON.stringify({ id, authorId: author, clientMsgId, seq: j + 1 });
    for (const member of users) {
      if (member === author) continue;
      const m = JSON.parse(wire) as { id: string; authorId: string; clientMsgId: string; seq: number };
      recorder.deliver({ process: member, channelId: CH, id: m.id, seq: m.seq, authorId: m.authorId, clientMsgId: m.clientMsgId, via: 'live' });
    }
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.error('run with node --expose-gc for the memory figures');
const kinds = { baseline: () => new WithoutDeliveries(), columns: () => new LeanHistoryRecorder(), objects: () => new HistoryRecorder() } as const;
console.log(`${MESSAGES} messages to ${MEMBERS} members: ${MESSAGES * (MEMBERS - 1)} deliveries`);
for (const name of ['baseline', 'columns', 'objects', 'baseline', 'columns', 'objects'] as const) {
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const recorder = kinds[name]();
  play(recorder);
  const cpu = process.cpuUsage(cpu0);
  gc?.();
  const retainedMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
  const t0 = performance.now();
  const history = recorder.history();
  const buildMs = performance.now() - t0;
  const t1 = performance.now();
  runCheckers(history);
  const checkMs = performance.now() - t1;
  console.log(
    `${name.padEnd(8)}  record ${((cpu.user + cpu.system) / 1000).toFixed(0).padStart(5)} ms CPU  retained ${retainedMb.toFixed(0).padStart(4)} MB  history() ${buildMs.toFixed(0).padStart(5)} ms  checkers ${checkMs.toFixed(0).padStart(5)} ms`,
  );
}
