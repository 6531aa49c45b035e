import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecDocument } from '../../spec/index.ts';
import { getJson } from '../../testing/admin.ts';
import { startServer } from '../../testing/server-process.ts';
import { reconnectDelay } from '../cluster/reconnect-delay.ts';
import { loadConfig } from '../config.ts';
import { eventPipeline } from '../events/pipeline.ts';
import { defectsFor, FaultName, Faults, refusalInProduction } from '../faults/index.ts';
import { RateLimits } from '../resilience/rate-limits.ts';
import type { Store } from '../store/types.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = new URL('../../bin/sockproof.mjs', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test' ? [] : sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('deliberate defects live in reference-server/faults/ only', () => {
  const files = sources(ROOT).map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
  const outside = files.filter(({ file }) => !file.startsWith('faults/'));

  it('the scan sees the server and the faults folder', () => {
    expect(files.some(({ file }) => file === 'events/dispatch.ts')).toBe(true);
    expect(files.some(({ file }) => file === 'faults/index.ts')).toBe(true);
  });

  // Comments may name the fault a seam exists for (config.ts, connection/recovery.ts); code may not.
  it('no code outside faults/ asks whether a fault is on, nor holds a fault name as a string', () => {
    const names = FaultName.options.join('|');
    const asks = new RegExp(`faults\\s*\\??\\.\\s*has\\s*\\(|['"](${names})['"]`);
    const found = outside.filter(({ text }) => asks.test(text)).map(({ file }) => file);
    expect(found).toEqual([]);
  });

  it('only the composition (app.ts) and the start (main.ts) import faults/', () => {
    const importers = outside.filter(({ text }) => /from '\.\.?\/(?:\.\.\/)*faults\//.test(text)).map(({ file }) => file);
    expect(importers.sort()).toEqual(['app.ts', 'main.ts']);
  });
});

describe('the clean build: every defect transform is the identity', () => {
  it('gives back the real components unchanged', () => {
    const defects = defectsFor(Faults.none());
    const config = loadConfig({});
    const store = { kind: 'x' } as unknown as Store;
    const limits = new RateLimits(config.rateLimits);
    const pipeline = eventPipeline(config);
    const hook = () => {};
    expect(defects.store(store)).toBe(store);
    expect(defects.limits(limits, { inc: () => {} })).toBe(limits);
    expect(defects.listenAt(config.listen)).toBe(config.listen);
    expect(defects.typingTimeoutMs(1_234)).toBe(1_234);
    expect(defects.events(pipeline)).toBe(pipeline);
    expect(defects.breakerPolicy(config.breakerPolicy)).toBe(config.breakerPolicy);
    expect(defects.socketHooks([hook])).toEqual([hook]);
    expect(defects.recovery({ bindUser: true, reauthorise: true })).toEqual({ bindUser: true, reauthorise: true });
    expect(defects.sharedLimitsLink('link')).toBe('link');
    expect(defects.crossNodeBufferMax(1_000)).toBe(1_000);
    expect(defects.configOptions).toEqual({});
    // The deployment, drain and restart seams (faults/deployment-defects.ts).
    expect(defects.storeConfig(config)).toBe(config);
    expect(defects.lookupCache(config.lookupCache)).toBe(config.lookupCache);
    expect(defects.healthCritical(['store'])).toEqual(['store']);
    expect(defects.drainedExit(0)).toBe(0);
    expect([defects.reconnectCounted('app'), defects.reconnectCounted('adapter')]).toEqual([true, false]);
    expect(defects.reconnectDelay(reconnectDelay)).toBe(reconnectDelay);
    expect(defects.migrateOptions({})).toEqual({});
  });
});

describe('production refuses deliberate defects', () => {
  it('decides from NODE_ENV and SOCKPROOF_FAULTS alone (empty counts as unset)', () => {
    expect(refusalInProduction({ NODE_ENV: 'production', SOCKPROOF_FAULTS: 'no-rate-limit' })).toMatch(/NODE_ENV is production/);
    expect(refusalInProduction({ NODE_ENV: 'production', SOCKPROOF_FAULTS: 'not-a-fault' })).toBeDefined();
    expect(refusalInProduction({ NODE_ENV: 'production', SOCKPROOF_FAULTS: ' ' })).toBeUndefined();
    expect(refusalInProduction({ NODE_ENV: 'production' })).toBeUndefined();
    expect(refusalInProduction({ NODE_ENV: 'test', SOCKPROOF_FAULTS: 'no-rate-limit' })).toBeUndefined();
    expect(refusalInProduction({ SOCKPROOF_FAULTS: 'no-rate-limit' })).toBeUndefined();
  });

  it('`sockproof serve` stops with one line and exit 2, before opening anything', () => {
    const dataDir = join(ROOT, '..', 'data-should-not-exist-faults-test');
    const r = spawnSync(process.execPath, [BIN, 'serve'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', SOCKPROOF_FAULTS: 'no-rate-limit', DATA_DIR: dataDir, PORT: '0' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'sockproof serve: SOCKPROOF_FAULTS is set but NODE_ENV is production: deliberate defects are for test builds only; unset one of them',
    ]);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('a faulty build says so', () => {
  it('in GET /spec (implementation name; unlimited-history also unpublishes channel:history) and in its logs', async () => {
    const faulty = await startServer({ env: { SOCKPROOF_FAULTS: 'no-rate-limit,unlimited-history' } });
    try {
      const { status, body } = await getJson(`${faulty.url}/spec`, SpecDocument);
      expect(status).toBe(200);
      expect(body.implementation.name).toBe('sockproof-reference-server (faults: no-rate-limit,unlimited-history)');
      expect(Object.keys(body.limits.rateLimits)).not.toContain('channel:history');
      expect(Object.keys(body.limits.rateLimits)).toContain('message:send');
      const warning = await faulty.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('DELIBERATE FAULTS ENABLED'));
      expect(warning).toMatchObject({ level: 'warn', faults: ['no-rate-limit', 'unlimited-history'] });
    } finally {
      await faulty.dispose();
    }
  });
});
