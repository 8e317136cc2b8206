import { appPageUrl, dashboardUrl, mitreUrl } from './links';

describe('links', () => {
  it('links MITRE ATT&CK techniques, sub-techniques and tactics', () => {
    expect(mitreUrl('T1611')).toBe('https://attack.mitre.org/techniques/T1611/');
    expect(mitreUrl('T1110.001')).toBe('https://attack.mitre.org/techniques/T1110/001/');
    expect(mitreUrl('TA0004')).toBe('https://attack.mitre.org/tactics/TA0004/');
    expect(mitreUrl('privilege escalation')).toBeUndefined();
  });

  it('filters dashboards to a container', () => {
    expect(dashboardUrl('shipwatch-container-resources', 'web 1')).toBe(
      '/d/shipwatch-container-resources?var-container=web%201'
    );
    expect(dashboardUrl('shipwatch-docker-engine')).toBe('/d/shipwatch-docker-engine');
  });

  it('leaves empty parameters out of app links', () => {
    expect(appPageUrl('alerts', { container: 'web', group: '', rule_id: undefined })).toBe(
      '/a/shipwatch-containersecurity-app/alerts?container=web'
    );
  });
});
