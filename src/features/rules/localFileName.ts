/** The collector's rule for local file names (backend RulesService.localPath). */
const LOCAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The name as the collector stores it: `.yaml` is added unless it ends in .yaml or .yml. */
export function localFileName(name: string): string {
  const trimmed = name.trim();
  return /\.ya?ml$/.test(trimmed) ? trimmed : `${trimmed}.yaml`;
}

/** Why the name would be refused, or undefined when it is fine. */
export function localFileNameProblem(name: string): string | undefined {
  if (name.trim() === '') {
    return 'Give the file a name';
  }
  return LOCAL_NAME.test(localFileName(name))
    ? undefined
    : "Use letters, digits, '.', '_' and '-' (at most 64 characters)";
}

/** What a new file starts with: one rule to adapt, with the next free user id. */
export function newRuleFileTemplate(id: number): string {
  return [
    '# Your rules: ids from 200000. Reference: rules/README.md of Shipwatch.',
    'rules:',
    `  - id: ${id}`,
    '    level: 5',
    '    description: "describe what {container.name} did"',
    '    groups: [custom]',
    '    condition: event.source = docker and event.action = start',
    '',
  ].join('\n');
}
