import type { Platform as PbPlatform } from '../generated/ops.js';

/** A target platform, as in the OCI image spec (`linux/amd64`, `linux/arm64/v8`). */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly osVersion?: string;
  readonly osFeatures?: readonly string[];
}

const NODE_TO_OCI_ARCH: { readonly [arch: string]: string } = {
  x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle',
};

/** The platform kiln runs on, normalized as containerd's `platforms.DefaultSpec()`. */
export function hostPlatform(): Platform {
  const architecture = NODE_TO_OCI_ARCH[process.arch] ?? process.arch;
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  // containerd reports arm64 hosts as arm64/v8 before normalization drops the variant;
  // normalized form (what BuildKit writes) has no variant for arm64.
  return { os, architecture };
}

/**
 * Parses `os/arch[/variant]` (or `arch` alone) the way containerd's
 * `platforms.Parse` + `Normalize` do for the common cases.
 */
export function parsePlatform(spec: string): Platform | undefined {
  const parts = spec.trim().toLowerCase().split('/');
  if (parts.some((p) => !/^[a-z0-9._-]+$/.test(p)) || parts.length > 3) return undefined;
  const host = hostPlatform();
  const onlyOs = parts.length === 1 && ['linux', 'windows', 'darwin', 'freebsd'].includes(parts[0]!);
  const os = parts.length > 1 || onlyOs ? parts[0]! : host.os;
  const arch = parts.length > 1 ? parts[1]! : onlyOs ? host.architecture : parts[0]!;
  const norm = normalizeArch(arch, parts[2]);
  return { os, architecture: norm.architecture, ...(norm.variant ? { variant: norm.variant } : {}) };
}

function normalizeArch(arch: string, variant: string | undefined): { architecture: string; variant?: string | undefined } {
  switch (arch) {
    case 'i386':
      return { architecture: '386' };
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return { architecture: 'amd64', variant: variant === 'v1' ? undefined : variant };
    case 'aarch64':
    case 'arm64':
      return { architecture: 'arm64', variant: variant === '8' || variant === 'v8' ? undefined : variant };
    case 'armhf':
      return { architecture: 'arm', variant: 'v7' };
    case 'armel':
      return { architecture: 'arm', variant: 'v6' };
    case 'arm':
      return { architecture: 'arm', variant: variant ? (variant.startsWith('v') ? variant : `v${variant}`) : 'v7' };
    default:
      return { architecture: arch, variant };
  }
}

/** Formats a platform as `os/arch[/variant]`. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** The LLB form of a platform. */
export function toPbPlatform(p: Platform): PbPlatform {
  return {
    Architecture: p.architecture,
    OS: p.os,
    ...(p.variant ? { Variant: p.variant } : {}),
    ...(p.osVersion ? { OSVersion: p.osVersion } : {}),
    ...(p.osFeatures?.length ? { OSFeatures: [...p.osFeatures] } : {}),
  };
}
