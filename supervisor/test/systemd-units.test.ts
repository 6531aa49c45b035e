// The shipped unit files: valid for systemd, and pointing at the files the supervisor writes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { statePaths } from '../state-dir.ts';

const unit = (name: string) => fileURLToPath(new URL(`../systemd/${name}`, import.meta.url));
const hasSystemdAnalyze = existsSync('/usr/bin/systemd-analyze') || existsSync('/bin/systemd-analyze');
const setting = (text: string, key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);

describe('systemd units', () => {
  it.each(['sockproof.service', 'sockproof-forking.service'])('%s runs the daemon command with a state directory', (name) => {
    const text = readFileSync(unit(name), 'utf8');
    const stateDir = setting(text, 'Environment').find((e) => e.startsWith('SOCKPROOF_STATE_DIR='))!.split('=')[1]!;
    const [execStart] = setting(text, 'ExecStart');
    expect(execStart).toMatch(/bin\/sockproof\.mjs daemon start( --foreground)?$/);
    expect(setting(text, 'KillMode')).toEqual(['mixed']);
    if (setting(text, 'Type')[0] === 'forking') {
      expect(execStart).not.toContain('--foreground');
      expect(setting(text, 'PIDFile')).toEqual([statePaths(stateDir).supervisorPid]);
    } else {
      expect(setting(text, 'Type')).toEqual(['simple']);
      expect(execStart).toContain('--foreground');
    }
  });

  // systemd-analyze ships with systemd; machines without it (e.g. macOS) cannot check unit syntax.
  it.skipIf(!hasSystemdAnalyze)('both pass systemd-analyze verify', () => {
    for (const name of ['sockproof.service', 'sockproof-forking.service']) {
      expect(() => execFileSync('systemd-analyze', ['verify', '--man=no', unit(name)], { stdio: 'pipe', timeout: 20_000 })).not.toThrow();
    }
  });
});
