// What the kubelet's log layout says about a file: /var/log/pods/<namespace>_<pod>_<uid>/<container>/<N>.log,
// N being the container's restart count. Namespace and pod names are DNS labels and subdomains
// (no `_`), so the directory name splits on `_` into exactly three parts.

export interface PodLogFile {
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  restart: number;
  /** `<pod dir>/<container>/<N>.log`, relative to the log root: the file's key. */
  rel: string;
}

const DNS = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const UID = /^[0-9a-fA-F-]{1,64}$/;
const LOG_FILE = /^(\d{1,9})\.log$/;

/** The parts of a pod directory name; undefined when it is not one. */
export function parsePodDir(name: string): { namespace: string; pod: string; uid: string } | undefined {
  const parts = name.split('_');
  if (parts.length !== 3) return undefined;
  const [namespace, pod, uid] = parts as [string, string, string];
  if (!DNS.test(namespace) || !DNS.test(pod) || !UID.test(uid)) return undefined;
  return { namespace, pod, uid };
}

/** A container log file of a pod directory; undefined for anything else (rotated `N.log.<time>`, `.gz`, tmp files). */
export function podLogFile(podDir: string, container: string, file: string): PodLogFile | undefined {
  const p = parsePodDir(podDir);
  const m = LOG_FILE.exec(file);
  if (!p || !m || !DNS.test(container)) return undefined;
  return { ...p, container, restart: Number(m[1]), rel: `${podDir}/${container}/${file}` };
}
