import { lstatSync, mkdirSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { rm } from 'node:fs/promises';
import { copyFileContent } from '../ops/file/copy-file.js';
import { join } from 'node:path';
import { KilnError } from '../../compiler/index.js';
import { applyMeta, makeNode } from './fs-meta.js';
import { isOpaqueDir, OPAQUE_XATTR, writeXattrs } from './xattrs.js';

/**
 * Applying a layer straight into a new overlay upper dir, as containerd's overlay applier
 * does, instead of through a mounted overlay: no mount(8) and umount(8) per layer (two
 * process starts, the better part of unpacking a small layer). A whiteout becomes overlay's
 * char 0/0 device, an opaque marker the `trusted.overlay.opaque` xattr; a parent directory
 * the layer does not carry is created with the metadata it has in the layers below.
 */
export interface UpperApply {
  /** The lower layers' dirs, topmost first. */
  readonly lowers: readonly string[];
}

/** A layer this way cannot express (an entry below a symlink of a lower layer): apply it mounted instead. */
export class NeedsMergedView extends KilnError {}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    // No exception for the usual miss: building one cost more than the lstat.
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Makes the directories of `relDir` in the upper dir, each with its metadata from below. */
export async function upperParents(upper: string, relDir: string, u: UpperApply): Promise<string> {
  let rel = '';
  for (const comp of components(relDir)) {
    rel = rel ? `${rel}/${comp}` : comp;
    const here = lstatOrUndefined(join(upper, rel));
    if (here) {
      if (!here.isDirectory()) throw new NeedsMergedView('snapshot/needs-merged', `${rel} is not a directory in this layer`);
      continue;
    }
    const below = await lookupMerged(u.lowers, rel);
    if (below && !below.st.isDirectory()) throw new NeedsMergedView('snapshot/needs-merged', `${rel} is a ${below.st.isSymbolicLink() ? 'symlink' : 'file'} below this layer`);
    mkdirSync(join(upper, rel), { mode: 0o755 });
    if (below) {
      await applyMeta(join(upper, rel), { uid: below.st.uid, gid: below.st.gid, mode: below.st.mode & 0o7777, mtime: below.st.mtime, atime: below.st.atime }, 'dir');
    }
  }
  return rel ? join(upper, rel) : upper;
}

/**
 * The merged view of `lowers` (topmost first) along `rel`, read without mounting it, by overlayfs'
 * rules: the topmost layer's entry wins, a whiteout deletes the path, and a directory merges only
 * the same directory in the layers below it, down to the first layer where that path is not a
 * directory or to an opaque one. One entry per component that exists, stopping at the first that
 * does not or after one that is not a directory.
 */
async function walkMerged(lowers: readonly string[], comps: readonly string[]): Promise<MergedEntry[]> {
  // The layers whose directory at the current depth makes up the merged one, topmost first.
  let stack = lowers.map((_, i) => i);
  const walked: MergedEntry[] = [];
  for (let depth = 1; depth <= comps.length; depth++) {
    const prefix = comps.slice(0, depth).join('/');
    let found: MergedEntry | undefined;
    const next: number[] = [];
    for (const i of stack) {
      const p = join(lowers[i]!, prefix);
      const st = lstatOrUndefined(p);
      if (!st) continue;
      const whiteout = st.isCharacterDevice() && st.rdev === 0;
      if (!found) {
        if (whiteout) return walked;
        found = { path: p, st, layer: lowers[i]! };
      }
      if (whiteout || !st.isDirectory()) break;
      next.push(i);
      if (await isOpaqueDir(p)) break;
    }
    if (!found) return walked;
    walked.push(found);
    // Nothing is under a file or symlink.
    if (!found.st.isDirectory()) return walked;
    stack = next;
  }
  return walked;
}

/** An entry of the merged view: where it is (`path`, in the layer dir `layer`) and what. */
export interface MergedEntry {
  readonly path: string;
  readonly st: Stats;
  readonly layer: string;
}

const components = (rel: string): string[] => rel.split('/').filter((c) => c !== '' && c !== '.');

/** What the merged view of `lowers` (topmost first) has at `rel` (see walkMerged), or undefined. */
export async function lookupMerged(lowers: readonly string[], rel: string): Promise<MergedEntry | undefined> {
  const comps = components(rel);
  const walked = await walkMerged(lowers, comps);
  return walked.length === comps.length ? walked.at(-1) : undefined;
}

/**
 * Whether `path` (absolute, clean) can be written into a bare upper dir over `lowers` (topmost
 * first) exactly as through the mounted overlay: it must be new to the merged view, and each of
 * its ancestors there a directory or missing (a symlink or file would need the merged view to
 * resolve). Returns the ancestors that exist below (relative), for {@link upperParents} to copy
 * up, or undefined when the write needs the mount.
 */
export async function freshPathBelow(lowers: readonly string[], path: string): Promise<string | undefined> {
  const comps = components(path);
  if (comps.length === 0 || comps.includes('..')) return undefined;
  const walked = await walkMerged(lowers, comps);
  if (walked.length === comps.length || walked.some((e) => !e.st.isDirectory())) return undefined;
  return comps.slice(0, walked.length).join('/');
}

/** `.wh.NAME`: NAME is deleted from what is below, as overlay records it. */
export async function upperWhiteout(parent: string, name: string): Promise<void> {
  await rm(join(parent, name), { recursive: true, force: true });
  await makeNode(join(parent, name), 'char', 0, 0);
}

/** `.wh..wh..opq`: the directory hides everything below it. */
export async function upperOpaque(dir: string): Promise<void> {
  await writeXattrs(dir, new Map([[OPAQUE_XATTR, Buffer.from('y')]]));
}

/** A hard link's target from a lower layer is copied up first (overlay's copy-up: same content, its own inode). */
export async function upperLinkTarget(upper: string, rel: string, u: UpperApply): Promise<string | undefined> {
  const target = join(upper, rel);
  if (lstatOrUndefined(target)) return target;
  const below = await lookupMerged(u.lowers, rel);
  if (!below || !below.st.isFile()) return undefined;
  const slash = rel.lastIndexOf('/');
  await upperParents(upper, slash < 0 ? '' : rel.slice(0, slash), u);
  await copyFileContent(below.path, target);
  await applyMeta(target, { uid: below.st.uid, gid: below.st.gid, mode: below.st.mode & 0o7777, mtime: below.st.mtime, atime: below.st.atime }, 'other');
  return target;
}
