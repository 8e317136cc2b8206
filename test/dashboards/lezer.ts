import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

/** Where Lezer's grammar failed to parse an expression: `position: text around it`. Empty when it parsed. */
function syntaxErrors(parser: typeof logqlParser, expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: …${expr.slice(Math.max(0, node.from - 20), node.from)}⟨here⟩${expr.slice(node.from, node.from + 20)}…`);
    },
  });
  return errors;
}

export const promqlErrors = (expr: string): string[] => syntaxErrors(promqlParser as unknown as typeof logqlParser, expr);
export const logqlErrors = (expr: string): string[] => syntaxErrors(logqlParser, expr);

/** Grafana's built-in variables and what a query sees in their place. */
export const BUILTIN_VALUES: Record<string, string> = {
  __interval: '1m',
  __rate_interval: '1m',
  __range: '1h',
  __auto: '1m',
};

/**
 * Replaces `$name`, `${name}` and `${name:format}` with their values, as Grafana does before it sends
 * a query. Throws on a variable that is neither given nor built in: a query naming a variable the
 * dashboard does not define would reach the datasource with the `$name` text in it.
 */
export function interpolate(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_m, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = values[name] ?? BUILTIN_VALUES[name];
    if (value === undefined) throw new Error(`unknown variable $${name} in ${expr}`);
    return value;
  });
}

/** Names of the variables a query refers to (built-ins included). */
export function variablesIn(expr: string): string[] {
  return [...expr.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)].map((m) => (m[1] ?? m[2])!);
}
