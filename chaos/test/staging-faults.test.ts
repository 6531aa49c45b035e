import { describe, expect, it } from 'vitest';
import { stagingNodeFaults } from '../deployment/staging-node-faults.ts';
import { dependencyFaults } from '../nemesis/dependency-faults.ts';
import type { NemesisFault } from '../nemesis/executor.ts';
import type { ProxiedDependencies } from '../../testbed/services/proxied-dependencies.ts';

/** What a nemesis on a configured staging deployment may strike: only what the file gives it a way to strike. */
describe('faults offered on a configured staging deployment', () => {
  it("a window's node picks whose hooks run; a fault is offered only when every node has its hooks", async () => {
    const ran: string[] = [];
    const hooks = (node: string, names: Array<'kill' | 'pause'>): NemesisFault[] =>
      names.map((name) => ({ name, start: async () => void ran.push(`${node} ${name} start`), heal: async () => void ran.push(`${node} ${name} heal`) }));
    const staging = {
      nodes: [{ name: 'node-1', url: 'http://a', process: undefined }, { name: 'node-2', url: 'http://b', process: undefined }],
      nodeFaults: (name: string) => (name === 'node-1' ? hooks(name, ['kill', 'pause']) : hooks(name, ['kill'])),
    };
    const faults = stagingNodeFaults(staging);
    // node-2 has no pause hooks: pause is not offered at all, so no window pauses a node the operator cannot resume.
    expect(faults.map((f) => f.name)).toEqual(['kill']);
    await faults[0]!.start(1);
    await faults[0]!.heal(1);
    await faults[0]!.start();
    expect(ran).toEqual(['node-2 kill start', 'node-2 kill heal', 'node-1 kill start']);
    await expect(faults[0]!.start(2)).rejects.toThrow(/no node 3 to strike \(the config names 2\)/);
  });

  it('only the dependency faults whose proxy the file names', () => {
    const only = (names: string[]) => dependencyFaults({ names } as unknown as ProxiedDependencies).map((f) => f.name);
    expect(only(['postgres'])).toEqual(['db-down', 'db-latency', 'reset-peer', 'limit-data', 'timeout']);
    expect(only(['redis'])).toEqual(['redis-down', 'redis-latency', 'slicer']);
    expect(only(['redis', 'postgres'])).toHaveLength(8);
  });
});
