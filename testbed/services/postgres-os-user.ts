import { readFileSync } from 'node:fs';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root; this is who runs initdb/postgres when we are root. */
export const POSTGRES_OS_USER = 'postgres';

function lookUpUser(name: string): OsUser | undefined {
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * The OS user to run PostgreSQL as: undefined means "as ourselves" (not root). When we are root it is the
 * `postgres` user (the Debian package creates it); `null` means we are root and there is no such user.
 */
export function postgresRunAs(): OsUser | undefined | null {
  if (process.getuid?.() !== 0) return undefined;
  return lookUpUser(POSTGRES_OS_USER) ?? null;
}
