import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KilnError, llb, pb } from '../../compiler/index.js';
import type { ContainerMount } from '../executor/index.js';
import { runContainer } from '../executor/index.js';
import { resolveInRoot } from '../ops/file/index.js';
import { copyTree } from '../snapshot/index.js';
import type { ActiveSnapshot, SnapshotView } from '../snapshot/index.js';
import type { Operation, Ref, Vertex } from '../solver/index.js';
import { CacheMountLocks } from './cache-mounts.js';
import { checkRunnable } from './emulation.js';
import type { WorkerContext } from './worker-context.js';

const cacheLocks = new CacheMountLocks();

/** An ExecOp: the process runs in runc on a snapshot of its root input; writable mounts become outputs. */
export function execOp(v: Vertex, w: WorkerContext): Operation {
  const exec = v.op.exec!;
  return {
    runsProcess: true,
    async exec(inputs, ctx) {
      const p = v.op.platform;
      if (p?.Architecture) await checkRunnable({ os: p.OS ?? 'linux', architecture: p.Architecture, ...(p.Variant ? { variant: p.Variant } : {}) }, llb.hostPlatform());
      const mounts = exec.mounts ?? [];
      const actives: { mount: pb.Mount; active: ActiveSnapshot }[] = [];
      const views: SnapshotView[] = [];
      const releases: (() => void)[] = [];
      const parentOf = (m: pb.Mount) => (Number(m.input ?? 0) >= 0 ? [inputs[Number(m.input ?? 0)]!.id] : []);
      try {
        const root = mounts.find((m) => m.dest === '/');
        if (!root) throw new KilnError('solver/no-root', 'exec has no root mount');
        const rootActive = await w.snapshotter.prepare(parentOf(root));
        actives.push({ mount: root, active: rootActive });
        const containerMounts: ContainerMount[] = [];
        for (const m of mounts) {
          if (m === root) continue;
          const dest = m.dest ?? '';
          const type = m.mountType ?? pb.MountType.BIND;
          if (type === pb.MountType.BIND) {
            const writable = !m.readonly;
            let dir: string;
            if (writable) {
              const a = await w.snapshotter.prepare(parentOf(m));
              actives.push({ mount: m, active: a });
              dir = a.dir;
            } else if (Number(m.input ?? 0) >= 0) {
              const view = await w.snapshotter.view(inputs[Number(m.input ?? 0)]!.id);
              views.push(view);
              dir = view.dir;
            } else {
              const a = await w.snapshotter.prepare([]);
              actives.push({ mount: { ...m, output: -1 }, active: a });
              dir = a.dir;
            }
            const source = m.selector ? await resolveInRoot(dir, m.selector, { followFinal: true }) : dir;
            containerMounts.push({ kind: 'bind', dest, source, readonly: !!m.readonly });
          } else if (type === pb.MountType.CACHE) {
            const id = m.cacheOpt?.ID ?? dest;
            const { dir, release } = await cacheLocks.acquire(join(w.cacheMountsDir, createHash('sha256').update(id).digest('hex')), m.cacheOpt?.sharing ?? pb.CacheSharingOpt.SHARED, ctx.signal);
            releases.push(release);
            const fresh = !existsSync(dir);
            await mkdir(dir, { recursive: true });
            // A new cache starts as the mount's input (BuildKit's cache `from`, and how a
            // Dockerfile's `--mount=type=cache,uid=…,mode=…` gives the directory its owner).
            if (fresh && Number(m.input ?? -1) >= 0) {
              const view = await w.snapshotter.view(inputs[Number(m.input)]!.id);
              try {
                const from = m.selector ? await resolveInRoot(view.dir, m.selector, { followFinal: true }) : view.dir;
                await copyTree(from, dir);
              } finally {
                await view.release();
              }
            }
            containerMounts.push({ kind: 'bind', dest, source: dir, readonly: false });
          } else if (type === pb.MountType.TMPFS) {
            containerMounts.push({ kind: 'tmpfs', dest, ...(m.TmpfsOpt?.size ? { size: Number(m.TmpfsOpt.size) } : {}) });
          } else if (type === pb.MountType.SECRET) {
            const data = w.secrets.get(m.secretOpt?.ID ?? '');
            if (!data) {
              if (m.secretOpt?.optional) continue;
              throw new KilnError('solver/missing-secret', `secret ${m.secretOpt?.ID ?? ''} not provided (pass --secret id=${m.secretOpt?.ID ?? ''},src=FILE)`);
            }
            containerMounts.push({ kind: 'secret', dest, data, mode: m.secretOpt?.mode ?? 0o400, uid: m.secretOpt?.uid ?? 0, gid: m.secretOpt?.gid ?? 0 });
          } else if (type === pb.MountType.SSH) {
            const socket = w.ssh.get(m.SSHOpt?.ID || 'default');
            if (!socket) {
              if (m.SSHOpt?.optional) continue;
              throw new KilnError('solver/missing-ssh', `ssh agent ${m.SSHOpt?.ID || 'default'} not forwarded (pass --ssh default)`);
            }
            containerMounts.push({ kind: 'ssh', dest, socket, mode: m.SSHOpt?.mode ?? 0o600, uid: m.SSHOpt?.uid ?? 0, gid: m.SSHOpt?.gid ?? 0 });
          }
        }
        const secretEnv = (exec.secretenv ?? []).flatMap((s) => {
          const data = w.secrets.get(s.ID ?? '');
          if (!data && !s.optional) throw new KilnError('solver/missing-secret', `secret ${s.ID ?? ''} not provided`);
          return data ? [`${s.name ?? ''}=${Buffer.from(data).toString()}`] : [];
        });
        const meta = exec.meta ?? {};
        await runContainer(
          {
            rootfs: rootActive.dir,
            args: [...(meta.args ?? [])],
            env: [...(meta.env ?? []), ...secretEnv],
            cwd: meta.cwd || '/',
            user: meta.user || 'root',
            ...(meta.hostname ? { hostname: meta.hostname } : {}),
            network: exec.network === pb.NetMode.NONE ? 'none' : 'host',
            extraHosts: (meta.extraHosts ?? []).map((h) => ({ host: h.Host ?? '', ip: h.IP ?? '' })),
            mounts: containerMounts,
            ...(exec.security === pb.SecurityMode.INSECURE ? { securityInsecure: true } : {}),
            ...(meta.ulimit?.length ? { ulimits: meta.ulimit.map((u) => ({ name: u.Name ?? '', soft: Number(u.Soft ?? 0), hard: Number(u.Hard ?? 0) })) } : {}),
            ...(meta.cgroupParent ? { cgroupParent: meta.cgroupParent } : {}),
            ...(meta.validExitCodes?.length ? { validExitCodes: meta.validExitCodes.map(Number) } : {}),
          },
          { signal: ctx.signal, stateDir: w.stateDir, onLog: (stream, line) => ctx.log(stream, line) },
        );
        const outputs: Ref[] = [];
        for (const { mount, active } of actives) {
          const out = Number(mount.output ?? 0);
          if (out >= 0) outputs[out] = { id: await w.snapshotter.commit(active) };
          else await w.snapshotter.abort(active);
        }
        actives.length = 0;
        return outputs;
      } finally {
        for (const { active } of actives) await w.snapshotter.abort(active).catch(() => undefined);
        for (const view of views) await view.release().catch(() => undefined);
        for (const release of releases) release();
      }
    },
  };
}
