// The regex tests the rules of one set make on one field, behind one RE2 set of all their
// patterns. Most values match none of them (an access log line's path against the SQL injection,
// XSS, traversal, shellshock and login lists): one pass of the union then answers every test of
// that field for that value, instead of one pass per test. A value the union matches goes on to
// each test's own patterns, so every answer is the one the test alone would give.

import { compileRegexSet, type StringTest } from './regex.js';

/** Compiles the patterns of one `regex` comparison into its test. */
export type RegexCompiler = (patterns: string[]) => StringTest;

class FieldUnion {
  private readonly patterns = new Set<string>();
  private tests = 0;
  private union: StringTest | undefined;

  add(patterns: readonly string[]): void {
    this.tests += 1;
    for (const p of patterns) this.patterns.add(p);
  }

  seal(): void {
    // One test alone gains nothing from a union of its own patterns.
    if (this.tests < 2) return;
    try {
      this.union = compileRegexSet([...this.patterns]);
    } catch {
      // Each pattern compiled alone; should their union not, the tests run without it.
      this.union = undefined;
    }
  }

  /** False when no pattern of the field can match `s` (the union remembers recent answers). */
  mayMatch(s: string): boolean {
    return this.union === undefined || this.union(s);
  }
}

export class RegexUnions {
  private readonly byField = new Map<string, FieldUnion>();

  /** The compiler for `regex` comparisons on `field`; their tests consult the union once sealed. */
  compilerFor(field: string): RegexCompiler {
    return (patterns) => {
      const own = compileRegexSet(patterns);
      let union = this.byField.get(field);
      if (!union) {
        union = new FieldUnion();
        this.byField.set(field, union);
      }
      union.add(patterns);
      const u = union;
      return (s) => u.mayMatch(s) && own(s);
    };
  }

  /** Builds the unions, once every rule of the set is compiled. */
  seal(): void {
    for (const u of this.byField.values()) u.seal();
  }
}
