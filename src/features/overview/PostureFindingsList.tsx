import { Link } from 'react-router-dom';
import { SEVERITIES, type Container, type PostureFinding } from '../../api/types';
import { appPageUrl } from '../../shared/links';
import { SeverityBadge } from '../../shared/SeverityBadge';

export interface ContainerFinding extends PostureFinding {
  container: string;
}

/** Findings of containers that have not been removed, worst first. */
export function postureFindings(containers: Container[]): ContainerFinding[] {
  const rank = (f: PostureFinding) => SEVERITIES.indexOf(f.severity);
  return containers
    .filter((c) => c.state !== 'removed')
    .flatMap((c) => c.posture.map((f) => ({ ...f, container: c.name ?? c.id.slice(0, 12) })))
    .sort((a, b) => rank(b) - rank(a) || a.container.localeCompare(b.container));
}

export function PostureFindingsList({ findings, limit = 10 }: { findings: ContainerFinding[]; limit?: number }) {
  const shown = findings.slice(0, limit);
  return (
    <div>
      <table aria-label="Posture findings" style={{ width: '100%' }}>
        <tbody>
          {shown.map((f) => (
            <tr key={`${f.container}/${f.id}/${f.message}`}>
              <td>
                <SeverityBadge severity={f.severity} />
              </td>
              <td>
                <Link to={appPageUrl('containers', { q: f.container })}>{f.container}</Link>
              </td>
              <td>{f.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {findings.length > shown.length && (
        <Link to={appPageUrl('containers')}>{findings.length - shown.length} more on the Containers page</Link>
      )}
    </div>
  );
}
