// Public surface of runtime/executor/: BuildKit's runc executor. It runs one
// process per call in a runc container over a rootfs directory the caller
// prepared (a snapshot), with the op's mounts, network mode and user.
export { runContainer } from './runc-executor.js';
export { ExecError, EXEC_ERROR_LOG_LINES } from './exec-error.js';
export { DEFAULT_PATH_ENV, generateSpec, specJson } from './oci-spec.js';
export type { OciMount, OciSpec, SpecInputs } from './oci-spec.js';
export { DEFAULT_HOSTNAME, hostsFile } from './hosts-file.js';
export { resolvConf } from './resolv-conf.js';
export { resolveUser } from './user.js';
export type { ResolvedUser } from './user.js';
export type {
  BindMount, ContainerMount, ContainerSpec, ExtraHost, NetworkMode, RunContainerOptions, SecretMount, SshMount, TmpfsMount, Ulimit,
} from './types.js';
