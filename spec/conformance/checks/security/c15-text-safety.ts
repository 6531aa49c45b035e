import fc from 'fast-check';
import { hostileHtml } from '../../../properties/hostile-html.ts';
import { runProperty, type PropertyRun } from '../../../properties/run-property.ts';
import { acceptableText, judgeSafeText } from '../../../properties/text-safety.ts';
import { Message, KickedEvent } from '../../../events.ts';
import { normalizeText } from '../../../text.ts';
import { describeAck } from '../../ack.ts';
import { defineCheck } from '../../check.ts';
import type { CheckContext } from '../../context.ts';
import { msgKey, room } from '../scene.ts';

/** Arbitrary strings: any code point (lone surrogates included), controls, and mixed scripts. */
export const arbitraryText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 40 }),
  fc.array(fc.constantFrom('a', ' ', '\n', '\t', '\r', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff', 'e\u0301', '\u212b', '<', '&', '"', "'", '>'), { maxLength: 30 }).map((a) => a.join('')),
);

const HOSTILE_NAME = '<img src=x onerror=alert(1)>&amp;"\'';

export default defineCheck({
  id: 'C15',
  title: 'Text safety: text is the normalised input, html parses to that text only (properties over the wire)',
  group: 'Security',
  level: 'MUST',
  rules: ['TEXT-1', 'TEXT-2', 'TEXT-3', 'TEXT-4', 'TEXT-5', 'MSG-3'],
  timeoutMs: 180_000,
  async run(ctx: CheckContext) {
    const r = await room(ctx, ['writer', 'reader']);
    const writer = r.members[0]!;
    const reader = r.members[1]!;

    const predicate = async (input: string): Promise<string | undefined> => {
      const reading = await ctx.call(writer.conn, 'message:send', [{ channelId: r.channelId, text: input, clientMsgId: msgKey(ctx) }]);
      if (!acceptableText(input)) return reading.kind === 'error' && reading.code === 'VALIDATION' ? undefined : `expected VALIDATION for text outside 1-2000 code points, got ${describeAck(reading)}`;
      if (reading.kind !== 'ok') return `expected the message stored, got ${describeAck(reading)}`;
      const msg = reading.data as Message;
      const judged = judgeSafeText(input, msg);
      if (!judged.ok) return judged.why;
      const seen = await reader.conn.nextEvent('message:new', 2_000, (m) => (m as { id?: unknown }).id === msg.id);
      if (!seen) return 'the reader did not receive message:new';
      const broadcast = Message.safeParse(seen.args[0]);
      if (!broadcast.success || broadcast.data.html !== msg.html || broadcast.data.text !== msg.text) return 'the broadcast differs from the ack';
      return undefined;
    };
    const runs: Array<[string, PropertyRun<string>]> = [];
    for (const [name, arb] of [['arbitrary strings', arbitraryText], ['hostile HTML', hostileHtml]] as const) {
      const run = await runProperty(arb, predicate, { numRuns: ctx.settings.propertyRuns, seed: ctx.settings.seed, maxShrinks: 100 });
      runs.push([name, run]);
      ctx.recorder.note(`${name}: ${run.numRuns} runs, seed ${run.seed}${run.ok ? '' : ' FAILED'}`);
      if (run.counterexample && !ctx.counterexample) ctx.counterexample = { seed: run.seed, path: run.counterexample.path, value: run.counterexample.value, numRuns: run.numRuns };
      ctx.expect(run.ok, `${name}: text is the normalised input and html is inert text (${run.numRuns} runs, seed ${run.seed})`, run.ok ? 'held' : run.counterexample ? `${JSON.stringify(run.counterexample.value)}: ${run.counterexample.why}` : run.error ?? 'failed');
      if (!writer.conn.isOpen) break;
    }

    // TEXT-5: nothing of the text is turned into markup, a URL or markdown included (a linkify or markdown
    // feature's html is not text only).
    const plain = 'see https://example.test/page?a=1 and **bold** _here_';
    const rendered = await ctx.ok(writer.conn, 'message:send', { channelId: r.channelId, text: plain, clientMsgId: msgKey(ctx) });
    const renderedJudged = judgeSafeText(plain, rendered);
    ctx.expect(renderedJudged.ok, 'a URL and markdown in the text are neither linked nor rendered: html is the text only (TEXT-5)', renderedJudged.ok ? rendered.html : renderedJudged.why);

    // TEXT-4: display names, attachment names and moderation reasons follow the same rule.
    const named = await ctx.user('named', ['member'], { name: HOSTILE_NAME });
    const namedConn = await ctx.connectAs('named', named);
    await ctx.ok(namedConn, 'channel:join', { channelId: r.channelId });
    const byNamed = await ctx.ok(namedConn, 'message:send', {
      channelId: r.channelId,
      text: 'see attachment',
      clientMsgId: msgKey(ctx),
      attachments: [{ url: 'https://example.test/a.png', name: HOSTILE_NAME, size: 1, mimeType: 'image/png' }],
    });
    const nameJudged = judgeSafeText(HOSTILE_NAME, { text: byNamed.authorName, html: byNamed.authorNameHtml });
    ctx.expect(nameJudged.ok, 'authorName/authorNameHtml safe (TEXT-4)', nameJudged.ok ? 'safe' : nameJudged.why);
    const att = byNamed.attachments[0];
    const attJudged = att ? judgeSafeText(HOSTILE_NAME, { text: att.name, html: att.nameHtml }) : { ok: false as const, why: 'no attachment returned' };
    ctx.expect(attJudged.ok, 'attachment name/nameHtml safe (TEXT-4)', attJudged.ok ? 'safe' : attJudged.why);

    const mod = await ctx.user('mod', ['moderator']);
    const modConn = await ctx.connectAs('mod', mod);
    await ctx.ok(modConn, 'moderation:kick', { channelId: r.channelId, userId: named.id, reason: HOSTILE_NAME });
    const kicked = await namedConn.nextEvent('moderation:kicked', 2_000);
    const k = kicked ? KickedEvent.safeParse(kicked.args[0]) : undefined;
    const reasonJudged = k?.success ? judgeSafeText(HOSTILE_NAME, { text: k.data.reason, html: k.data.reasonHtml }) : { ok: false as const, why: 'no moderation:kicked' };
    ctx.expect(reasonJudged.ok, 'kick reason/reasonHtml safe (TEXT-4)', reasonJudged.ok ? 'safe' : reasonJudged.why);
    ctx.expect(normalizeText(HOSTILE_NAME) === HOSTILE_NAME, 'fixture sanity: the hostile name is normalised already', 'yes');
  },
});
