import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { pb } from '../../../compiler/index.js';
import { FileOpError, isErrno } from './file-op-error.js';
import type { Owner } from './fs-meta.js';
import { resolveInRoot } from './resolve-in-root.js';

// A passwd or group file larger than this is not one; refusing it keeps a hostile image from
// making the daemon read a huge file.
const MAX_DB_BYTES = 16 << 20;

/**
 * Resolves the names of a `ChownOpt` (`--chown=app:staff`) to ids, the way BuildKit reads
 * them from the `/etc/passwd` and `/etc/group` of the root that `NamedUserOpt.input` names.
 */
export interface UserLookup {
  /** The uid and primary gid of the user `name`, or undefined when there is none. */
  user(name: string, input: number): Promise<Owner | undefined>;
  /** The gid of the group `name`, or undefined when there is none. */
  group(name: string, input: number): Promise<number | undefined>;
}

/**
 * A UserLookup that reads `/etc/passwd` and `/etc/group` inside `rootDir` (whatever the input),
 * resolving both paths inside the root, so a symlinked `/etc` cannot point it at the host's,
 * and reading only regular files (a FIFO there would block the build forever).
 *
 * @example
 * const users = lookupFrom(snapshotDir);
 * await users.user('nobody', 0) // { uid: 65534, gid: 65534 }
 */
export function lookupFrom(rootDir: string): UserLookup {
  return {
    async user(name) {
      const fields = findEntry(await readDb(rootDir, '/etc/passwd'), name, false);
      return fields === undefined ? undefined : { uid: atoi(fields[2]), gid: atoi(fields[3]) };
    },
    async group(name) {
      const fields = findEntry(await readDb(rootDir, '/etc/group'), name, true);
      return fields === undefined ? undefined : atoi(fields[2]);
    },
  };
}

/**
 * The owner a `ChownOpt` asks for (BuildKit's `readUser`), or undefined for none (keep the
 * source's on a copy, the daemon's on a new file). BuildKit's quirks are kept: a user or group
 * name that is not found (or no passwd file at all) leaves the id at 0 instead of failing;
 * a user by id is also its group id; the group, when given, overrides the gid.
 */
export async function resolveOwner(chown: pb.ChownOpt | undefined, users: UserLookup | undefined): Promise<Owner | undefined> {
  if (chown === undefined) return undefined;
  let uid = 0;
  let gid = 0;
  const lookup = (): UserLookup => {
    if (users === undefined) throw new FileOpError('bad-action', 'invalid missing user mount');
    return users;
  };
  const u = chown.user;
  if (u?.byName !== undefined) {
    const found = await lookup().user(u.byName.name ?? '', Number(u.byName.input ?? 0));
    if (found !== undefined) ({ uid, gid } = found);
  } else if (u?.byID !== undefined) {
    uid = gid = u.byID;
  }
  const g = chown.group;
  if (g?.byName !== undefined) {
    const found = await lookup().group(g.byName.name ?? '', Number(g.byName.input ?? 0));
    if (found !== undefined) gid = found;
  } else if (g?.byID !== undefined) {
    gid = g.byID;
  }
  return { uid, gid };
}

/** The text of a regular file at `path` inside `root`, or '' when there is none to read. */
async function readDb(root: string, path: string): Promise<string> {
  let host: string;
  try {
    host = await resolveInRoot(root, path, { followFinal: true });
  } catch (err) {
    if (err instanceof FileOpError && err.code === 'file/not-dir') return '';
    throw err;
  }
  let fh;
  try {
    // O_NOFOLLOW: the path was resolved, a symlink now is a swap after the fact; O_NONBLOCK:
    // opening a FIFO must not wait for a writer (it is refused just below).
    fh = await open(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return '';
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return '';
    if (st.size > MAX_DB_BYTES) throw new FileOpError('bad-path', `${path} is larger than ${MAX_DB_BYTES} bytes`, path);
    return (await fh.readFile()).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** The `:`-separated fields of the first line whose first field is `name` (moby/sys/user parsing). */
function findEntry(text: string, name: string, skipComments: boolean): string[] | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || (skipComments && line.startsWith('#'))) continue;
    const fields = line.split(':');
    if (fields[0] === name) return fields;
  }
  return undefined;
}

/** Go's strconv.Atoi with the error ignored, as moby/sys/user does: not a number is 0. */
function atoi(s: string | undefined): number {
  return s !== undefined && /^[+-]?\d+$/.test(s) ? Number.parseInt(s, 10) : 0;
}
