import type { ContainerFields, Severity } from './event.js';

export interface PostureFinding {
  id: string;
  severity: Severity;
  message: string;
}

/** Host paths whose mount gives a container control of, or secrets from, the host. */
export const SENSITIVE_HOST_PATHS = ['/', '/etc', '/proc', '/sys', '/root', '/boot', '/dev', '/var/run', '/run', '/var/lib/docker', '/var/lib/kubelet', '/home'];
const SOCKET_SUFFIXES = ['docker.sock', 'containerd.sock', 'crio.sock', 'podman.sock'];

/** Added capabilities that amount to a container escape or host-level network/process control. */
export const DANGEROUS_CAPABILITIES = ['ALL', 'SYS_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_BOOT', 'SYS_TIME', 'NET_ADMIN', 'NET_RAW', 'DAC_READ_SEARCH', 'DAC_OVERRIDE', 'BPF', 'PERFMON', 'MKNOD', 'SYSLOG'];

export function isSensitiveHostPath(path: string): boolean {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (SOCKET_SUFFIXES.some((s) => p.endsWith(`/${s}`))) return true;
  return SENSITIVE_HOST_PATHS.some((s) => p === s || (s !== '/' && s !== '/home' && p.startsWith(`${s}/`)));
}

/** What a container's configuration exposes, worst first. */
export function postureFindings(c: Partial<ContainerFields>): PostureFinding[] {
  const out: PostureFinding[] = [];
  if (c.privileged) out.push({ id: 'privileged', severity: 'critical', message: 'runs privileged: full access to the host devices and kernel' });
  for (const m of c.mounts ?? []) {
    if (m.type === 'bind' && isSensitiveHostPath(m.source)) {
      out.push({ id: 'sensitive_mount', severity: m.rw ? 'critical' : 'high', message: `host path ${m.source} mounted at ${m.destination}${m.rw ? ' read-write' : ' read-only'}` });
    }
  }
  for (const [field, ns] of [['network_mode', 'network'], ['pid_mode', 'PID'], ['ipc_mode', 'IPC']] as const) {
    if (c[field] === 'host') out.push({ id: 'host_namespace', severity: 'high', message: `shares the host ${ns} namespace` });
  }
  const caps = (c.cap_add ?? []).filter((cap) => DANGEROUS_CAPABILITIES.includes(cap));
  if (caps.length) out.push({ id: 'capabilities', severity: 'high', message: `adds capabilities ${caps.join(', ')}` });
  if (c.user !== undefined && (c.user === '' || c.user === 'root' || c.user === '0' || c.user.startsWith('0:'))) {
    out.push({ id: 'root_user', severity: 'low', message: 'runs as root' });
  }
  if (c.read_only_rootfs === false) out.push({ id: 'writable_rootfs', severity: 'low', message: 'root filesystem is writable' });
  return out;
}
