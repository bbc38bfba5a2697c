import { readFile } from 'node:fs/promises';
import { KilnError } from '../../compiler/index.js';
import { rootPath } from './root-path.js';

/** The ids a container process runs as. */
export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups, the primary gid first (containerd's `ensureAdditionalGids`). */
  readonly additionalGids: readonly number[];
}

const MAX_ID = 2 ** 31 - 1;

interface PasswdEntry { name: string; uid: number; gid: number }
interface GroupEntry { name: string; gid: number; members: string[] }

/**
 * Resolves an exec's user (`name`, `uid`, `name:group`, `uid:gid`) against the
 * rootfs's /etc/passwd and /etc/group, as BuildKit's `oci.GetUser` does with
 * moby/sys/user's `GetExecUser`: `uid:gid` is taken as is; a name must exist;
 * a bare uid without an entry gets gid 0; a user without an explicit group
 * gets the supplementary groups that list it.
 */
export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  if (spec === '') {
    // BuildKit's default is user "0", looked up for its groups, errors ignored.
    return resolveUser(rootfs, '0').catch(() => withPrimary(0, 0, []));
  }
  const fast = parseUidGid(spec);
  if (fast) return withPrimary(fast.uid, fast.gid, []);
  const passwd = await readUserFile(rootfs, '/etc/passwd');
  const group = await readUserFile(rootfs, '/etc/group');
  const colon = spec.indexOf(':');
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1);
  const uidArg = parseId(userArg);
  const gidArg = parseId(groupArg);

  let uid = 0;
  let gid = 0;
  let matchedName = '';
  const users = parsePasswd(passwd ?? '').filter((u) => (userArg === '' ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg));
  const found = users[0];
  if (found) {
    ({ uid, gid } = found);
    matchedName = found.name;
  } else if (userArg !== '') {
    if (uidArg === undefined) {
      throw new KilnError('executor/unknown-user', `unable to find user ${userArg}: no matching entries in passwd file`);
    }
    uid = uidArg;
  }

  const sgids: number[] = [];
  if (groupArg !== '' || matchedName !== '') {
    const groups = parseGroup(group ?? '').filter((g) =>
      groupArg === '' ? g.members.includes(matchedName) : gidArg !== undefined ? g.gid === gidArg : g.name === groupArg);
    if (groupArg !== '') {
      const g = groups[0];
      if (g) gid = g.gid;
      else if (gidArg !== undefined) gid = gidArg;
      else throw new KilnError('executor/unknown-group', `unable to find group ${groupArg}: no matching entries in group file`);
    } else {
      sgids.push(...groups.map((g) => g.gid));
    }
  }
  return withPrimary(uid, gid, sgids);
}

/** BuildKit's `ParseUIDGID` fast path: both parts numeric (or `root`), no file lookups. */
function parseUidGid(spec: string): { uid: number; gid: number } | undefined {
  const colon = spec.indexOf(':');
  if (colon < 0) return undefined;
  const uid = spec.slice(0, colon) === 'root' ? 0 : parseId(spec.slice(0, colon));
  const gid = spec.slice(colon + 1) === 'root' ? 0 : parseId(spec.slice(colon + 1));
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

function parseId(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX_ID ? n : undefined;
}

function withPrimary(uid: number, gid: number, sgids: readonly number[]): ResolvedUser {
  return { uid, gid, additionalGids: sgids.includes(gid) ? [...sgids] : [gid, ...sgids] };
}

async function readUserFile(rootfs: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(await rootPath(rootfs, path), 'utf8');
  } catch {
    return undefined;
  }
}

function fields(text: string): string[][] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

function parsePasswd(text: string): PasswdEntry[] {
  return fields(text).map((f) => ({ name: f[0] ?? '', uid: Number(f[2] ?? 0) || 0, gid: Number(f[3] ?? 0) || 0 }));
}

function parseGroup(text: string): GroupEntry[] {
  return fields(text).map((f) => ({
    name: f[0] ?? '',
    gid: Number(f[2] ?? 0) || 0,
    members: (f[3] ?? '').split(',').filter((m) => m !== ''),
  }));
}
