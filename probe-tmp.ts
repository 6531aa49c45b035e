import { startLocalDeployment } from './chaos/deployment/local-deployment.ts';
import { referenceServerCommand } from './testbed/targets/target-process.ts';
import { DEPENDENCY_SCENARIO_TABLE } from './chaos/scenarios/dependencies/index.ts';
const ref = referenceServerCommand(); const d = await startLocalDeployment({ ...ref, env: { ...ref.env, ...(process.env.FAULTS ? { SOCKPROOF_FAULTS: process.env.FAULTS } : {}) } }, 2);
try {
  const options = { clients: Number(process.env.CL ?? 4), rate: Number(process.env.RATE ?? 4), kills: 1, killDelayMs: { min: 1, max: 2 }, cutMs: 2000, latencyMs: 1, phaseMs: 1000, seed: 1, maxMessages: 10000, drainMs: 20000 };
  const name = (process.env.SCN ?? 'redis-down') as keyof typeof DEPENDENCY_SCENARIO_TABLE;
  const r = await DEPENDENCY_SCENARIO_TABLE[name].run({ target: undefined as never, options, signal: new AbortController().signal, say: console.log, deployment: d });
  console.log(r.verdict, r.reason);
  console.log(JSON.stringify(r.figures));
  for (const n of d.nodes) console.log(n.name, n.process!.logLines.filter((l) => /warn|error/i.test(l)).slice(-12).map((l) => l.slice(0, 300)).join('\n'));
} finally { await d.close(); }
