import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * kiln's default state root: `/var/lib/kiln` for root, `$XDG_DATA_HOME/kiln`
 * (falling back to `~/.local/share/kiln`, as the XDG spec says) for anyone else.
 * `--root` overrides it.
 */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string {
  if (uid === 0) return '/var/lib/kiln';
  const xdg = env['XDG_DATA_HOME'];
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const base = xdg !== undefined && xdg.startsWith('/') ? xdg : join(env['HOME'] ?? homedir(), '.local', 'share');
  return join(base, 'kiln');
}

/** Where things live under a state root. */
export function rootPaths(root: string) {
  return {
    blobs: join(root, 'blobs', 'sha256'),
    db: join(root, 'state.db'),
    lock: join(root, 'lock'),
  } as const;
}
