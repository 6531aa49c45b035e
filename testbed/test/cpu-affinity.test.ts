import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedCpus, parseCpuList, pinToCpus } from '../cpu-affinity.ts';

describe('parseCpuList (testbed/cpu-affinity.ts)', () => {
  it('reads the kernel\'s lists: single cores, ranges, both', () => {
    expect(parseCpuList('0')).toEqual([0]);
    expect(parseCpuList('0-3')).toEqual([0, 1, 2, 3]);
    expect(parseCpuList('0-1,4,6-7\n')).toEqual([0, 1, 4, 6, 7]);
  });

  it('names nothing for text that is not a CPU list', () => {
    for (const bad of ['', 'x', '1-', '3-1', '0,,1', '-1']) expect(parseCpuList(bad)).toEqual([]);
  });

  it('reads back any set of cores written as the kernel writes it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 40 }), (cores) => {
        const sorted = [...cores].sort((a, b) => a - b);
        // The kernel's form: runs of consecutive cores as ranges.
        const parts: string[] = [];
        for (let i = 0; i < sorted.length; ) {
          let j = i;
          while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
          parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
          i = j + 1;
        }
        expect(parseCpuList(parts.join(','))).toEqual(sorted);
      }),
    );
  });
});

const cores = allowedCpus();

describe('pinToCpus (testbed/cpu-affinity.ts)', () => {
  it.skipIf(process.platform !== 'linux' || cores.length < 2)(
    'keeps a process, and what it starts afterwards, on the cores it was given (needs Linux and 2 cores)',
    async () => {
      // A shell that starts a child only when told, so the child is forked after the pin.
      const shell = spawn('sh', ['-c', 'read go; sleep 30 & echo $!; wait'], { stdio: ['pipe', 'pipe', 'inherit'] });
      try {
        await once(shell, 'spawn');
        const last = cores[cores.length - 1]!;
        await pinToCpus(shell.pid!, [last]);
        expect(allowedCpus(shell.pid!)).toEqual([last]);
        const childPid = new Promise<number>((resolve) => shell.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
        shell.stdin!.write('go\n');
        expect(allowedCpus(await childPid)).toEqual([last]);
      } finally {
        shell.kill('SIGKILL');
      }
    },
  );

  it.skipIf(process.platform !== 'linux')('rejects with a reason for a process that is not there', async () => {
    await expect(pinToCpus(2 ** 22 + 12345, [0])).rejects.toThrow(/taskset/);
  });
});
