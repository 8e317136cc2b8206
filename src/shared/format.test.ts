import { ruleTitle } from './format';

describe('ruleTitle', () => {
  it('turns the fields of a description template into ellipses', () => {
    expect(ruleTitle('container {container.name} crashed with exit code {container.exit_code}')).toBe(
      'container … crashed with exit code …'
    );
  });

  it('leaves text without fields, and braces that are not fields, alone', () => {
    expect(ruleTitle('Interactive shell in a container')).toBe('Interactive shell in a container');
    expect(ruleTitle('payload {} or { x }')).toBe('payload {} or { x }');
  });
});
