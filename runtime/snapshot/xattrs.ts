/**
 * Extended attributes, through `@napi-rs/xattr` (Node has no xattr API). The
 * module is loaded lazily so a platform without its prebuilt binary still runs:
 * xattrs are then neither read nor written, and overlay opaque directories
 * cannot be detected (the overlay snapshotter refuses to start without it).
 */
import { createRequire } from 'node:module';
import { findAddon } from '../addon-path.js';

// The synchronous calls: one xattr syscall is far cheaper than a thread-pool round trip, and
// tree copies and layer tars make one or two per file.
interface XattrModule {
  listAttributesSync(path: string): string[];
  getAttributeSync(path: string, name: string): Buffer | null;
  setAttributeSync(path: string, name: string, value: Uint8Array | string): void;
}

let loading: Promise<XattrModule | undefined> | undefined;

function load(): Promise<XattrModule | undefined> {
  loading ??= Promise.resolve().then(() => {
    // The prebuilt binary's own package first: the main package's loader probes for musl and
    // for files that are not there before it gets to it (~4 ms of every build).
    const require = createRequire(import.meta.url);
    for (const name of [process.platform === 'linux' ? `@napi-rs/xattr-linux-${process.arch}-gnu` : undefined, '@napi-rs/xattr']) {
      if (name === undefined) continue;
      try {
        // The prebuilt package's .node file by path when it is where Node would find it.
        const direct = name.endsWith('-gnu') ? findAddon(import.meta.url, `${name}/xattr.${name.slice('@napi-rs/xattr-'.length)}.node`) : undefined;
        const m = require(direct ?? name) as XattrModule & { default?: XattrModule };
        return m.default ?? m;
      } catch {
        // not this one: a musl system, another platform, or no binary at all
      }
    }
    return undefined;
  });
  return loading;
}

/** Whether xattrs can be read and written on this platform. */
export async function xattrsAvailable(): Promise<boolean> {
  return (await load()) !== undefined;
}

/** The xattr that marks an overlay upper directory opaque (the kernel's, with value `y`). */
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** Overlayfs keeps its private bookkeeping under this prefix; it never belongs in a layer. */
const OVERLAY_PRIVATE = 'trusted.overlay.';

/**
 * The xattrs of `path` (not following a symlink), without overlayfs' private ones;
 * empty where xattrs are unsupported (the file system or the platform).
 */
export async function readXattrs(path: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const x = await load();
  if (!x) return out;
  let names: string[];
  try {
    names = x.listAttributesSync(path);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    if (name.startsWith(OVERLAY_PRIVATE)) continue;
    try {
      const value = x.getAttributeSync(path, name);
      if (value) out.set(name, value);
    } catch {
      // vanished or not readable by us: skipped like an unsupported attribute
    }
  }
  return out;
}

/** Sets xattrs on `path`, skipping those the file system or our privileges refuse (`trusted.*` as non-root). */
export async function writeXattrs(path: string, attrs: ReadonlyMap<string, Buffer>): Promise<void> {
  if (attrs.size === 0) return;
  const x = await load();
  if (!x) return;
  for (const [name, value] of attrs) {
    try {
      x.setAttributeSync(path, name, value);
    } catch {
      // EPERM / ENOTSUP: "where possible", as containerd does for rootless unpacks
    }
  }
}

/** Whether an overlay upper directory is opaque (hides everything below it). */
export async function isOpaqueDir(path: string): Promise<boolean> {
  const x = await load();
  if (!x) return false;
  try {
    // `x` marks a directory holding xwhiteouts (kernel 6.7+, made by userspace), not an opaque one.
    return (x.getAttributeSync(path, OPAQUE_XATTR))?.toString() === 'y';
  } catch {
    return false;
  }
}
