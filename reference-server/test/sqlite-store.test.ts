// The embedded store (SQLite in DATA_DIR): what it keeps across a restart, the durability setting
// DUR-1 relies on, and the refusal to start on a DATA_DIR of the PGlite era (OPS-1).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../bin/dist-manifest.mjs';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/open-store.ts';
import { createSqliteStore, openSqliteDatabase, SQLITE_FILE } from '../store/sqlite-store.ts';

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sqlite-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const SECRET = 'sqlite-store-test-secret-0123456789abcdef';
const configFor = (dir: string) => loadConfig({ DATA_DIR: dir, JWT_SECRET: SECRET });

describe('the embedded SQLite store', () => {
  it('is the default store, in WAL mode with synchronous=NORMAL: a commit is in the OS before its send is acked (DUR-1, DUR-3)', async () => {
    const dir = await dataDir();
    const store = await openStore(configFor(dir));
    await store.migrate();
    expect(store.kind).toBe('sqlite');
    await store.close();
    const db = openSqliteDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL: see openSqliteDatabase
    db.close();
  });

  it('keeps channels, members, messages, edits and bans across a restart on the same DATA_DIR, field for field', async () => {
    const dir = await dataDir();
    const first = createSqliteStore(openSqliteDatabase(dir));
    await first.migrate();
    expect(await first.upsertChannel('room', true, ['bob', 'ann', 'bob'])).toEqual({ created: true });
    expect(await first.upsertChannel('room', true, ['bob', 'ann', 'cy'])).toEqual({ created: false });
    await first.removeMember('room', 'cy');
    const attachments = [{ url: 'https://example.com/a.pdf', name: 'a <b>', nameHtml: 'a &lt;b&gt;', size: 12, mimeType: 'application/pdf' as const }];
    const sent = await first.insertMessage({ channelId: 'room', authorId: 'ann', authorName: 'Ann <3', text: 'hi & bye', clientMsgId: 'k1', attachments });
    const second = await first.insertMessage({ channelId: 'room', authorId: 'bob', authorName: 'Bob', text: 'two', clientMsgId: 'k1', attachments: [] });
    const edited = await first.editMessage(sent.message.id, 'edited');
    const until = new Date(Date.now() + 3_600_000);
    await first.putBan({ userId: 'eve', reason: 'spam', by: 'mod', until });
    await first.putBan({ userId: 'mal', reason: 'forever', by: 'mod', until: null });
    await first.putBan({ userId: 'old', reason: 'over', by: 'mod', until: new Date(Date.now() - 1_000) });
    await first.close();

    const again = createSqliteStore(openSqliteDatabase(dir));
    await again.migrate(); // a second start migrates nothing and keeps everything
    expect(await again.getChannel('room')).toEqual({ id: 'room', private: true, lastSeq: 2 });
    expect(await again.getChannel('nowhere')).toBeNull();
    expect(await again.listMembers('room')).toEqual(['ann', 'bob']);
    expect(await again.isMember('room', 'ann')).toBe(true);
    expect(await again.isMember('room', 'cy')).toBe(false);
    expect(sent.message).toMatchObject({ seq: 1, authorNameHtml: 'Ann &lt;3', html: 'hi &amp; bye', attachments, editedAt: null });
    expect(edited).toMatchObject({ id: sent.message.id, text: 'edited', seq: 1, createdAt: sent.message.createdAt });
    expect(edited!.editedAt).not.toBeNull();
    expect(await again.getMessage(sent.message.id)).toEqual(edited);
    expect(await again.getMessage('not-an-id')).toBeNull();
    expect(await again.editMessage('not-an-id', 'x')).toBeNull();
    expect(await again.history('room', undefined, 50)).toEqual([edited, second.message]);
    expect(await again.activeBan('eve', new Date())).toEqual({ userId: 'eve', reason: 'spam', by: 'mod', until });
    expect(await again.activeBan('eve', new Date(until.getTime() + 1))).toBeNull();
    expect(await again.activeBan('mal', new Date())).toEqual({ userId: 'mal', reason: 'forever', by: 'mod', until: null });
    expect(await again.activeBan('old', new Date())).toBeNull();
    // A retry after the restart answers the stored message (MSG-4, DUR-2).
    expect(await again.insertMessage({ channelId: 'room', authorId: 'ann', authorName: 'Ann <3', text: 'other', clientMsgId: 'k1', attachments: [] })).toEqual({ message: edited, created: false });
    await again.close();
  });

  it('names the file it cannot open, for the start-up line (OPS-1)', async () => {
    const dir = await dataDir();
    await mkdir(join(dir, SQLITE_FILE)); // a directory where the database file should be
    expect(() => openSqliteDatabase(dir)).toThrow(`cannot open the embedded store ${join(dir, SQLITE_FILE)} (DATA_DIR)`);
  });

  it('pages history newest first by seq, each page in ascending order', async () => {
    const store = createSqliteStore(openSqliteDatabase(await dataDir()));
    await store.migrate();
    await store.upsertChannel('long', false, []);
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.insertMessage({ channelId: 'long', authorId: 'a', authorName: 'a', text: `m${i}`, clientMsgId: `m${i}`, attachments: [] })));
    const seqs = async (before: number | undefined, limit: number) => (await store.history('long', before, limit)).map((m) => m.seq);
    expect(await seqs(undefined, 10)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(await seqs(16, 10)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(await seqs(6, 10)).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs(1, 10)).toEqual([]);
    expect(await store.history('empty', undefined, 10)).toEqual([]);
    await store.close();
  });
});

describe('a DATA_DIR of the PGlite era (OPS-1)', () => {
  async function pgliteDataDir(): Promise<string> {
    const dir = await dataDir();
    await mkdir(join(dir, 'pglite'), { recursive: true });
    await writeFile(join(dir, 'pglite', 'PG_VERSION'), '17\n');
    return dir;
  }

  it('stops start-up with one line naming DATA_DIR and what to do, and writes nothing into it', async () => {
    const dir = await pgliteDataDir();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/sockproof.mjs'), 'serve'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, DATA_DIR: dir, JWT_SECRET: SECRET, PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`DATA_DIR ${dir} holds a PGlite store`);
    expect(lines[0]).toContain(`move ${join(dir, 'pglite')} out of DATA_DIR`);
    expect(existsSync(join(dir, SQLITE_FILE))).toBe(false);
    expect(existsSync(join(dir, 'pglite', 'PG_VERSION'))).toBe(true);
  });

  it('starts once the PGlite store is moved away, and on a DATA_DIR that already has the SQLite store beside it', async () => {
    const moved = await pgliteDataDir();
    await rm(join(moved, 'pglite'), { recursive: true });
    const fresh = await openStore(configFor(moved));
    await fresh.migrate();
    await fresh.close();

    const both = await pgliteDataDir();
    const store = createSqliteStore(openSqliteDatabase(both));
    await store.migrate();
    await store.close();
    const reopened = await openStore(configFor(both));
    await reopened.migrate();
    await reopened.close();
  });
});
