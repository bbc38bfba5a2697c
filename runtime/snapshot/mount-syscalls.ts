import { existsSync } from 'node:fs';
import { HelperProcess } from './helper-process.js';

/** How a mount(2) or umount2(2) call ended: errno 0 for success. */
export interface SyscallResult {
  readonly errno: number;
  readonly message: string;
}

/** mount(2) flag: read-only. */
export const MS_RDONLY = 1;
/** umount2(2) flag: detach now, clean up when no longer busy (`umount -l`). */
export const MNT_DETACH = 2;

// [mount, umount2, syncfs] system call numbers, by Node's name for the architecture.
const SYSCALLS: Readonly<Record<string, readonly [number, number, number]>> = {
  x64: [165, 166, 306],
  arm64: [40, 39, 267],
  riscv64: [40, 39, 267],
  arm: [21, 52, 373],
  ia32: [21, 52, 344],
};

// Reads one request a line (hex-encoded fields: the call, then its arguments), makes the call
// and answers "<errno> <message>". Strings go to syscall() as pointers, numbers as integers.
const SCRIPT = String.raw`
$| = 1;
my ($mount, $umount, $syncfs) = @ARGV;
while (defined(my $line = <STDIN>)) {
  chomp $line;
  my ($op, @a) = map { pack('H*', $_) } split(/ /, $line, -1);
  my $r = -1;
  $! = 22;
  if ($op eq 'mount') {
    my ($cwd, $src, $dst, $type, $flags, $data) = @a;
    $r = syscall($mount, $src, $dst, $type, $flags + 0, $data) if chdir($cwd);
  } elsif ($op eq 'umount') {
    my ($dst, $flags) = @a;
    $r = syscall($umount, $dst, $flags + 0);
  } elsif ($op eq 'syncfs') {
    my ($path) = @a;
    if (sysopen(my $fh, $path, 0)) {
      $r = syscall($syncfs, fileno($fh));
      close($fh);
    }
  }
  my $errno = $r == -1 ? $! + 0 : 0;
  print $errno, ' ', ($errno ? "$!" : ''), "\n";
}
`;

/**
 * mount(2) and umount2(2) for kiln's snapshots, made by one long-lived Perl process.
 *
 * Why: starting a process costs ~4 ms on a small VM, more than the mount itself, and a build
 * mounts and unmounts a few times per step (a COPY up to four). Node has no mount call; Perl,
 * which every Debian system has (perl-base is essential), can make any system call, so one
 * helper makes them all without a process per call. Calls run one at a time, in order. The
 * helper starts on first use, never keeps kiln alive, and is in its own process group (a Ctrl-C
 * stops the build, not the clean-up's unmounts). Where there is no Perl, or no known call
 * numbers for the architecture, or the helper dies, calls answer `undefined` and the caller
 * uses mount(8) instead.
 */
export class MountSyscalls {
  readonly #helper = new HelperProcess<SyscallResult>({
    start: () => {
      const calls = SYSCALLS[process.arch];
      if (!calls || !existsSync('/usr/bin/perl')) return undefined;
      return { cmd: '/usr/bin/perl', args: ['-e', SCRIPT, ...calls.map(String)], env: { LC_ALL: 'C' } };
    },
    answer: (out) => {
      const end = out.indexOf('\n');
      if (end < 0) return undefined;
      const space = out.indexOf(' ');
      const errno = Number(out.slice(0, space));
      return { value: { errno: Number.isInteger(errno) ? errno : -1, message: out.slice(space + 1, end) }, length: end + 1 };
    },
    lost: { errno: -1, message: "kiln's mount helper exited during the call" },
  });

  /** Starts the helper ahead of the first call (perl takes ~10 ms to be ready). */
  warm(): void {
    this.#helper.warm();
  }

  /** mount(2) run in `cwd` (relative paths in `data` resolve from it). */
  mount(cwd: string, source: string, target: string, type: string, flags: number, data: string): Promise<SyscallResult | undefined> {
    return this.#call(['mount', cwd, source, target, type, String(flags), data]);
  }

  /** umount2(2). */
  umount(target: string, flags = 0): Promise<SyscallResult | undefined> {
    return this.#call(['umount', target, String(flags)]);
  }

  /** syncfs(2) of the file system holding `path`: its data written so far, on disk. */
  syncfs(path: string): Promise<SyscallResult | undefined> {
    return this.#call(['syncfs', path]);
  }

  #call(fields: readonly string[]): Promise<SyscallResult | undefined> {
    return this.#helper.request(() => `${fields.map((f) => Buffer.from(f).toString('hex')).join(' ')}\n`);
  }
}

const shared = new MountSyscalls();

/** kiln's shared helper (see {@link MountSyscalls}). */
export function mountSyscalls(): MountSyscalls {
  return shared;
}
