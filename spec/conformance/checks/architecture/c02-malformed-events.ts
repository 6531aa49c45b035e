import type { CheckContext } from '../../context.ts';
import { HTTP_PATHS } from '../../../http.ts';
import { CLIENT_EVENT_NAMES } from '../../../events.ts';
import { robustnessCase } from '../../../properties/robustness.ts';
import { runProperty } from '../../../properties/run-property.ts';
import { describeAck } from '../../ack.ts';
import { defineCheck } from '../../check.ts';
import { room } from '../scene.ts';

/** Payloads of the wrong type for every event: none is an object, so each must be VALIDATION. */
const WRONG_TYPES: ReadonlyArray<[string, unknown[]]> = [
  ['null', [null]],
  ['a number', [42]],
  ['a string', ['channel:join']],
  ['an array', [[{ channelId: 'general' }]]],
  ['true', [true]],
  ['no payload', []],
];

export default defineCheck({
  id: 'C02',
  title: 'Malformed, unknown and wrongly-typed events never crash the target and get well-formed error acks',
  group: 'Architecture',
  level: 'MUST',
  rules: ['ACK-1', 'ACK-2', 'ACK-4', 'ACK-6', 'OPS-4'],
  timeoutMs: 90_000,
  async run(ctx: CheckContext) {
    const r = await room(ctx, ['prober', 'bystander']);
    const prober = r.members[0]!.conn;
    const bystander = r.members[1]!.conn;

    for (const event of CLIENT_EVENT_NAMES) {
      for (const [what, args] of WRONG_TYPES) {
        await ctx.refused(prober, event, args, 'VALIDATION', `${event} with ${what}`);
        if (!prober.isOpen) break;
      }
      if (!prober.isOpen) break;
    }
    ctx.require(prober.isOpen, 'the prober still connected after wrongly-typed payloads', prober.closedReason ?? '');
    await ctx.refused(prober, 'no:such:event', [{}], 'VALIDATION', 'an unknown event with a callback');

    const property = await runProperty(
      robustnessCase,
      async (c) => {
        const reading = await ctx.call(prober, c.event, c.args);
        return reading.kind === 'ok' || reading.kind === 'error' ? undefined : describeAck(reading);
      },
      { numRuns: ctx.settings.propertyRuns, seed: ctx.settings.seed, maxShrinks: 50 },
    );
    ctx.recorder.note(`robustness property: ${property.numRuns} runs, seed ${property.seed}`);
    if (property.counterexample) {
      ctx.counterexample = { seed: property.seed, path: property.counterexample.path, value: property.counterexample.value, numRuns: property.numRuns };
    }
    ctx.expect(property.ok, `arbitrary JSON payloads always answered with an ack of the spec's shape (${property.numRuns} runs, seed ${property.seed})`, property.ok ? 'always' : property.counterexample ? `${JSON.stringify(property.counterexample.value).slice(0, 200)}: ${property.counterexample.why}` : property.error ?? 'failed');

    // A frame that is not a Socket.IO packet at all: the protocol lets the target drop that client, nothing more.
    const garbler = await ctx.connectAs('garbler', await ctx.user('garbler'));
    garbler.sendRawMessage('2{"not":"an array"');
    await garbler.waitClosed(1_000);
    ctx.recorder.note(`after an undecodable packet the garbler is ${garbler.isOpen ? 'still connected' : `closed (${garbler.closedReason})`}`);

    const health = await ctx.http.get(HTTP_PATHS.health);
    ctx.expect(health.status === 200, 'the target still healthy afterwards', String(health.status));
    ctx.expect(bystander.isOpen, 'a bystander socket unaffected (still connected)', bystander.closedReason ?? 'connected');
    await ctx.ok(bystander, 'channel:join', { channelId: r.channelId }, 'the bystander still answered');
  },
});
