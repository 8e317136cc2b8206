import fs from 'node:fs';

/**
 * The id of the container this collector runs in, if any, so that its own events can be told
 * apart: Docker bind-mounts /etc/hostname and friends from /var/lib/docker/containers/<id>/.
 */
export function detectSelfContainerId(mountinfo = '/proc/self/mountinfo'): string | undefined {
  try {
    const text = fs.readFileSync(mountinfo, 'utf8');
    return /\/containers\/([0-9a-f]{64})\//.exec(text)?.[1];
  } catch {
    return undefined;
  }
}
