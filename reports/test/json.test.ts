import { describe, expect, it } from 'vitest';
import { parseReport, ReportParseError, serialiseReport } from '../json.ts';
import { HOSTILE, check, mixedReport } from './fixtures.ts';

describe('native JSON report', () => {
  it('round-trips a report, hostile text included', () => {
    const original = mixedReport();
    original.results.push(check('TEXT-1', 'fail', { message: HOSTILE }));
    expect(parseReport(serialiseReport(original))).toEqual(original);
  });

  it.each([
    ['not JSON', '{', /^a\.json: not JSON \(/],
    ['another tool', '{"schema":"other"}', /^a\.json: not a sockproof report/],
    ['a newer version', JSON.stringify({ ...mixedReport(), schemaVersion: 2 }), /schema version 2 is not supported \(this sockproof reads version 1\)/],
    ['a bad field', serialiseReport(mixedReport()).replace('"non-strict"', '"meh"'), /^a\.json: invalid report: results\.1\.verdict: /],
  ])('rejects %s with one line naming the file', (_what, text, message) => {
    let error: unknown;
    try {
      parseReport(text, 'a.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReportParseError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
