import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SECRET_FILE_NAME = 'jwt-secret';

/** Reads the HS256 secret kept in DATA_DIR, if one was made before. */
export async function readStoredSecret(dataDir: string): Promise<string | undefined> {
  try {
    const secret = (await readFile(join(dataDir, SECRET_FILE_NAME), 'utf8')).trim();
    return secret.length >= 32 ? secret : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The secret to verify tokens with when JWT_SECRET is not set: the one kept in DATA_DIR, or a
 * new random one written there (mode 0600, atomically) so that tokens survive restarts.
 */
export async function loadOrCreateSecret(dataDir: string): Promise<{ secret: string; created: boolean }> {
  const existing = await readStoredSecret(dataDir);
  if (existing) return { secret: existing, created: false };
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  const path = join(dataDir, SECRET_FILE_NAME);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${secret}\n`, { mode: 0o600 });
  await rename(tmp, path);
  return { secret, created: true };
}
