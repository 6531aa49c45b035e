// The pure arithmetic behind the toxics and addresses, checked over many inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHostPort, parseHostPort } from '../address.ts';
import { transferMs } from '../toxics/bandwidth.ts';
import { latencyDelay } from '../toxics/latency.ts';
import { allowedBytes } from '../toxics/limit-data.ts';
import { sliceLengths } from '../toxics/slicer.ts';

describe('sliceLengths', () => {
  it('covers the chunk exactly, with every slice within average ± variation unless the chunk was smaller', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 8, max: 500 }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (length, average, variationShare, random) => {
          const variation = Math.floor(average * variationShare);
          const slices = sliceLengths(length, average, variation, (n) => Math.floor(random * n));
          expect(slices.reduce((a, b) => a + b, 0)).toBe(length);
          for (const slice of slices) expect(slice).toBeGreaterThan(0);
          if (length > average + variation) {
            for (const slice of slices) expect(slice).toBeLessThanOrEqual(average + variation);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('latencyDelay', () => {
  it('stays within latency ± jitter', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(1_000), fc.double({ min: 0, max: 0.9999, noNaN: true }), (latency, jitter, r) => {
        const d = latencyDelay(latency, jitter, r);
        expect(d).toBeGreaterThanOrEqual(latency - jitter);
        expect(d).toBeLessThanOrEqual(latency + jitter);
      }),
    );
  });
});

describe('bandwidth and limit arithmetic', () => {
  it('transferMs: 1 KB = 1000 bytes, rate 0 is unlimited', () => {
    expect(transferMs(100_000, 100)).toBe(1_000);
    expect(transferMs(5, 0)).toBe(0);
  });

  it('allowedBytes never passes the limit', () => {
    expect(allowedBytes(1_000, 600, 600)).toBe(400);
    expect(allowedBytes(1_000, 1_000, 10)).toBe(0);
    expect(allowedBytes(1_000, 0, 10)).toBe(10);
  });
});

describe('host:port', () => {
  it('parses IPv4, IPv6, names and empty hosts; rejects the rest with a message', () => {
    expect(parseHostPort('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseHostPort('[::1]:6379')).toEqual({ host: '::1', port: 6379 });
    expect(parseHostPort('localhost:8474')).toEqual({ host: 'localhost', port: 8474 });
    expect(parseHostPort(':9000')).toEqual({ host: '', port: 9000 });
    expect(parseHostPort('nohost')).toMatch(/not host:port/);
    expect(parseHostPort('a:70000')).toMatch(/above 65535/);
    expect(formatHostPort('::1', 5)).toBe('[::1]:5');
  });
});
