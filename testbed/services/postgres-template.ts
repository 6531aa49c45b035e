import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { registerExitCleanup } from './exit-cleanup.ts';
import type { OsUser } from './postgres-os-user.ts';

const run = promisify(execFile);

/**
 * initdb takes about a second; copying its result takes a tenth of that. So each test process runs initdb
 * once into a template cluster and every lease starts from a copy. Trust auth (loopback only, throw-away
 * data), UTF8, C locale (same sort order everywhere), no fsync while writing the template.
 */
const templates = new Map<string, Promise<string>>();

export function postgresTemplate(initdb: string, runAs: OsUser | undefined): Promise<string> {
  const key = `${initdb}:${runAs?.uid ?? 'self'}`;
  let template = templates.get(key);
  if (!template) {
    template = createTemplate(initdb, runAs);
    templates.set(key, template);
    template.catch(() => templates.delete(key)); // a failed initdb is retried by the next lease
  }
  return template;
}

async function createTemplate(initdb: string, runAs: OsUser | undefined): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sockproof-pg-template-'));
  registerExitCleanup({ begin: () => {}, done: () => true, finish: () => rmSync(dir, { recursive: true, force: true }) });
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const data = join(dir, 'data');
  try {
    await run(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
      cwd: dir, // initdb, running as `postgres`, must be able to read its working directory
      uid: runAs?.uid,
      gid: runAs?.gid,
      timeout: 60_000,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`initdb failed: ${stderr || (error as Error).message}`);
  }
  return data;
}

/** Copies the template cluster to `target`, keeping owner and modes (PostgreSQL insists on 0700). */
export async function copyTemplate(template: string, target: string): Promise<void> {
  await run('cp', ['-a', template, target]);
}
