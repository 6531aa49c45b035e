import { PACKAGE_VERSION } from '../spec/version.ts';
import { startNode } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { defectsFor, Faults, refusalInProduction } from './faults/index.ts';
import { writePortFile } from './listen.ts';
import { createLogger } from './logger.ts';
import { loadOrCreateSecret } from './secret.ts';
import { redactUrlsIn } from '../spec/redact.ts';


/** `sockproof serve` / `npm start`: validate config, start the node, drain on SIGTERM/SIGINT. */
export async function runServer(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const refusal = refusalInProduction(env);
  if (refusal) {
    process.stderr.write(`sockproof serve: ${refusal}\n`);
    process.exit(2);
  }
  let config;
  let faults;
  let defects;
  try {
    faults = Faults.parse(env.SOCKPROOF_FAULTS);
    defects = defectsFor(faults);
    config = loadConfig(defects.configEnv(env), defects.configOptions);
  } catch (err) {
    if (!(err instanceof ConfigError) && !(err instanceof Error)) throw err;
    (defects?.configErrorOut ?? process.stderr).write(`sockproof serve: ${(defects?.redact ?? redactUrlsIn)(err.message)}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel, config.nodeId ? { nodeId: config.nodeId } : {});

  // OPS-4: outside any handler nothing is known to be consistent: log, exit, let the supervisor restart.
  const fatalExit = defects.fatalExit(1);
  const onFatal = (what: string) => (err: unknown) => {
    log.fatal({ err }, what);
    if (fatalExit !== 'keep-running') process.exit(fatalExit);
  };
  process.on('uncaughtException', onFatal('uncaught exception'));
  process.on('unhandledRejection', onFatal('unhandled rejection'));

  let secret: string | undefined;
  if (config.auth.kind === 'secret') {
    if (config.auth.secret) secret = config.auth.secret;
    else {
      const stored = await loadOrCreateSecret(config.dataDir);
      secret = stored.secret;
      if (stored.created) log.info({ dataDir: config.dataDir }, 'no JWT_SECRET set: generated one in DATA_DIR/jwt-secret');
    }
  }
  if (faults.list().length > 0) log.warn({ faults: faults.list() }, 'DELIBERATE FAULTS ENABLED (SOCKPROOF_FAULTS): never use this in production');

  let node;
  try {
    node = await startNode({ config, log, secret, faults, version: PACKAGE_VERSION });
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    process.stderr.write(`sockproof serve: start-up failed: ${redactUrlsIn((err as Error).message)}\n`);
    process.exit(1);
  }
  if (config.portFile) await writePortFile(config.portFile, node.port);
  const host = 'host' in config.listen ? config.listen.host : '127.0.0.1';
  log.info(defects.listeningLine({ port: node.port, host, store: node.ctx.store.kind, version: PACKAGE_VERSION }), 'listening');
  if (config.auth.kind === 'secret' && !config.auth.secret) {
    log.info(`mint a token with: npx sockproof token --sub alice --role admin --data-dir ${config.dataDir}`);
  }

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'draining');
    // The hard deadline: whatever hangs, the process is gone within the timeout (OPS-2).
    const timedOutExit = defects.drainTimeoutExit(1);
    setTimeout(() => {
      log.error('shutdown timed out');
      process.exit(timedOutExit);
    }, config.shutdownTimeoutMs).unref();
    const drained = await node.close(Math.max(0, config.shutdownTimeoutMs - 500));
    log.info({ drained }, 'stopped');
    process.exit(drained ? defects.drainedExit(0) : timedOutExit);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
