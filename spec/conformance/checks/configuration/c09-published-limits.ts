import type { CheckContext } from '../../context.ts';
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_MIME_TYPES,
  ATTACHMENTS_MAX,
  DEFAULT_RATE_LIMITS,
  HISTORY_MAX_LIMIT,
  TEXT_MAX_CODE_POINTS,
} from '../../../limits.ts';
import { AdminLimitsResponse, HTTP_PATHS, SpecDocument } from '../../../http.ts';
import { CLIENT_EVENT_NAMES } from '../../../events.ts';
import { defineCheck } from '../../check.ts';
import { limitDifferences } from './limits-diff.ts';

export default defineCheck({
  id: 'C09',
  title: 'The published limits match the spec defaults, or are stated and within bounds',
  group: 'Configuration',
  level: 'MUST',
  rules: ['RATE-1', 'RATE-6', 'RATE-7', 'RATE-8', 'SPECDOC-1', 'MSG-3', 'MSG-5', 'HIST-1', 'FIX-2'],
  async run(ctx: CheckContext) {
    const l = ctx.spec.limits;
    const diffs = limitDifferences(l.rateLimits, DEFAULT_RATE_LIMITS);
    ctx.recorder.note(diffs.length === 0 ? 'rate limits are the spec defaults' : `rate limits configured otherwise (RATE-1 allows it): ${diffs.join('; ')}`);
    ctx.expect(l.textMaxCodePoints === TEXT_MAX_CODE_POINTS, `textMaxCodePoints ${TEXT_MAX_CODE_POINTS}`, String(l.textMaxCodePoints));
    ctx.expect(l.attachments.max === ATTACHMENTS_MAX, `attachments.max ${ATTACHMENTS_MAX}`, String(l.attachments.max));
    ctx.expect(l.attachments.maxBytes === ATTACHMENT_MAX_BYTES, `attachments.maxBytes ${ATTACHMENT_MAX_BYTES}`, String(l.attachments.maxBytes));
    ctx.expect([...l.attachments.mimeTypes].sort().join() === [...ATTACHMENT_MIME_TYPES].sort().join(), 'attachments.mimeTypes the spec\'s list', l.attachments.mimeTypes.join(', '));
    ctx.expect(l.historyMaxLimit === HISTORY_MAX_LIMIT, `historyMaxLimit ${HISTORY_MAX_LIMIT}`, String(l.historyMaxLimit));
    const unlimited = CLIENT_EVENT_NAMES.filter((event) => !(event in l.rateLimits));
    ctx.expect(unlimited.length === 0, 'every client event has a published rate limit (RATE-6)', unlimited.length ? `none for ${unlimited.join(', ')}` : `all ${CLIENT_EVENT_NAMES.length}`);
    ctx.expect(l.outgoingBufferMaxBytes !== undefined, 'outgoingBufferMaxBytes published (RATE-7)', String(l.outgoingBufferMaxBytes));
    ctx.expect(l.inFlightMax !== undefined, 'inFlightMax published (RATE-8)', String(l.inFlightMax));

    // The configured table (what DELETE /admin/limits restores) is the one published before the harness relaxed it.
    const restored = await ctx.http.send({ method: 'DELETE', path: HTTP_PATHS.adminLimits, token: ctx.adminToken });
    try {
      const table = AdminLimitsResponse.safeParse(restored.body);
      ctx.require(restored.status === 200 && table.success, `DELETE ${HTTP_PATHS.adminLimits}: 200 {rateLimits}`, `${restored.status}`);
      ctx.expect(limitDifferences(table.data.rateLimits, l.rateLimits).length === 0, 'the restored table is the published one', limitDifferences(table.data.rateLimits, l.rateLimits).join('; ') || 'same');
      const now = SpecDocument.safeParse((await ctx.http.get(HTTP_PATHS.spec)).body);
      ctx.expect(now.success && limitDifferences(now.data.limits.rateLimits, l.rateLimits).length === 0, 'GET /spec shows the restored table', now.success ? limitDifferences(now.data.limits.rateLimits, l.rateLimits).join('; ') || 'same' : 'no SpecDocument');
    } finally {
      await ctx.relaxLimits();
    }
    const relaxed = SpecDocument.safeParse((await ctx.http.get(HTTP_PATHS.spec)).body);
    const expectedRelaxed = { ...l.rateLimits, ...ctx.harnessLimits };
    ctx.expect(relaxed.success && limitDifferences(relaxed.data.limits.rateLimits, expectedRelaxed).length === 0, 'GET /spec shows limits replaced by PUT /admin/limits', relaxed.success ? limitDifferences(relaxed.data.limits.rateLimits, expectedRelaxed).join('; ') || 'same' : 'no SpecDocument');
  },
});
