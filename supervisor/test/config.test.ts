import { describe, expect, it } from 'vitest';
import { loadSupervisorConfig, SupervisorConfigError } from '../config.ts';
import { makeStateDir, runCli, cleanUp } from './harness.ts';

describe('supervisor configuration', () => {
  it('has the original daemon defaults', () => {
    const c = loadSupervisorConfig({}, '/srv/app');
    expect(c).toEqual({
      backoff: { initialDelayMs: 1000, maxDelayMs: 60_000, factor: 2, maxRetries: 10 },
      healthIntervalMs: 30_000,
      healthTimeoutMs: 5000,
      unhealthyThreshold: 3,
      startupTimeoutMs: 30_000,
      shutdownTimeoutMs: 10_000,
      portStart: 8765,
      portEnd: 8785,
      logLevel: 'info',
      metricsFile: '/srv/app/.sockproof/socketio-metrics.json',
      stateDir: '/srv/app/.sockproof',
      restart: 'always',
    });
  });

  it('reads seconds as floats, the original level names, and the metrics switch', () => {
    const c = loadSupervisorConfig(
      { SOCKETIO_INITIAL_RETRY_DELAY: '0.25', SOCKETIO_LOG_LEVEL: 'warning', SOCKETIO_METRICS_ENABLED: 'false', SOCKPROOF_STATE_DIR: '/var/lib/sp' },
      '/x',
    );
    expect(c.backoff.initialDelayMs).toBe(250);
    expect(c.logLevel).toBe('warn');
    expect(c.metricsFile).toBeUndefined();
    expect(c.stateDir).toBe('/var/lib/sp');
    expect(loadSupervisorConfig({ SOCKETIO_METRICS_FILE: 'm.json', SOCKETIO_MAX_RETRIES: '' }, '/x')).toMatchObject({ metricsFile: '/x/m.json', backoff: { maxRetries: 10 } });
  });

  it.each([
    ['SOCKETIO_MAX_RETRIES', 'lots', 'SOCKETIO_MAX_RETRIES must be a whole number from 0 to 10000 (got "lots")'],
    ['SOCKETIO_RESTART', 'sometimes', 'SOCKETIO_RESTART must be always or on-failure (got "sometimes")'],
    ['SOCKETIO_MAX_RETRIES', '2.5', 'SOCKETIO_MAX_RETRIES must be a whole number from 0 to 10000 (got "2.5")'],
    ['SOCKETIO_INITIAL_RETRY_DELAY', '-1', 'SOCKETIO_INITIAL_RETRY_DELAY must be a number of seconds from 0 to 86400 (got "-1")'],
    ['SOCKETIO_BACKOFF_FACTOR', '0.5', 'SOCKETIO_BACKOFF_FACTOR must be a number from 1 to 100 (got "0.5")'],
    ['SOCKETIO_HEALTH_CHECK_INTERVAL', '0', 'SOCKETIO_HEALTH_CHECK_INTERVAL must be a number of seconds above 0 to 86400 (got "0")'],
    ['SOCKETIO_UNHEALTHY_THRESHOLD', '0', 'SOCKETIO_UNHEALTHY_THRESHOLD must be a whole number from 1 to 10000 (got "0")'],
    ['SOCKETIO_PORT_END', '70000', 'SOCKETIO_PORT_END must be a whole number from 1 to 65535 (got "70000")'],
    ['SOCKETIO_LOG_LEVEL', 'LOUD', 'SOCKETIO_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got "LOUD")'],
    ['SOCKETIO_METRICS_ENABLED', 'maybe', 'SOCKETIO_METRICS_ENABLED must be true or false (got "maybe")'],
  ])('refuses %s=%s with one clear line', (name, value, message) => {
    expect(() => loadSupervisorConfig({ [name]: value })).toThrow(new SupervisorConfigError(message));
  });

  it('refuses ranges that are back to front', () => {
    expect(() => loadSupervisorConfig({ SOCKETIO_PORT_START: '9000', SOCKETIO_PORT_END: '8000' })).toThrow(/SOCKETIO_PORT_START must be <= SOCKETIO_PORT_END/);
    expect(() => loadSupervisorConfig({ SOCKETIO_INITIAL_RETRY_DELAY: '90' })).toThrow(/SOCKETIO_INITIAL_RETRY_DELAY must be <= SOCKETIO_MAX_RETRY_DELAY/);
  });

  it('`daemon start` with a bad value prints one line, exits 2, and starts nothing', async () => {
    const dir = makeStateDir();
    try {
      const r = await runCli(['daemon', 'start'], { ...process.env, SOCKPROOF_STATE_DIR: dir, SOCKETIO_HEALTH_CHECK_TIMEOUT: 'soon' });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('sockproof: SOCKETIO_HEALTH_CHECK_TIMEOUT must be a number of seconds above 0 to 3600 (got "soon")\n');
      expect(r.stdout).toBe('');
      const bad = await runCli(['daemon', 'start', '--health-url', 'nope'], { ...process.env, SOCKPROOF_STATE_DIR: dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      cleanUp(dir);
    }
  });
});
