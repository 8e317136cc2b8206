import fs from 'node:fs';
import path from 'node:path';
import type { Alert, ShipEvent } from '../../event/event.js';
import type { Logger } from '../../util/log.js';
import { DetectionEngine } from './engine.js';
import { prepareInput } from './golden.js';
import { RuleTextCache } from './rule-text.js';
import type { LoadIssue, RuleInfo, RuleTrace } from './types.js';
import { validateRulesYaml, type ValidationResult } from './validate.js';

const LOCAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const RELOAD_DEBOUNCE_MS = 300;

export class RuleFileError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly validation?: ValidationResult,
  ) {
    super(message);
  }
}

/**
 * The rules as the collector runs them: the engine, reloaded when a rule file changes (on disk or
 * through the API), plus what the API needs to list, validate, save and test rules.
 */
export class RulesService {
  private readonly ruleTexts = new RuleTextCache();
  private engine: DetectionEngine;
  private watchers: fs.FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  reloads = 0;

  constructor(
    readonly shippedDir: string,
    readonly localDir: string,
    private readonly log: Logger,
  ) {
    fs.mkdirSync(localDir, { recursive: true });
    this.engine = DetectionEngine.fromDirs({ shippedDir, localDir });
    this.logIssues();
  }

  evaluate(event: ShipEvent): Alert[] {
    return this.engine.evaluate(event);
  }

  /** Reloads on any change in either directory, debounced: editors write files in several steps. */
  watch(): void {
    for (const dir of [this.shippedDir, this.localDir]) {
      try {
        const w = fs.watch(dir, () => this.scheduleReload());
        w.on('error', (err) => this.log.warn({ dir, err: String(err) }, 'rule directory watch failed; reload through the API still works'));
        this.watchers.push(w);
      } catch (err) {
        this.log.warn({ dir, err: String(err) }, 'cannot watch rule directory');
      }
    }
  }

  private scheduleReload(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), RELOAD_DEBOUNCE_MS);
  }

  /** Re-reads both directories; correlation state of unchanged rules survives. */
  reload(): void {
    clearTimeout(this.timer);
    this.engine.reload();
    this.reloads += 1;
    this.logIssues();
  }

  private logIssues(): void {
    const r = this.engine.report();
    for (const i of r.issues.filter((x) => x.severity === 'error')) this.log.error({ file: i.file, line: i.line, column: i.column, rule: i.ruleId }, `rule not loaded: ${i.message}`);
    this.log.info({ rules: r.rules, active: r.active, errors: r.errors, warnings: r.warnings }, 'rules loaded');
  }

  /** Every rule with where it comes from and, to read it, the YAML it was written as. */
  rules(): (RuleInfo & { source: 'shipped' | 'local'; yaml?: string })[] {
    const local = path.resolve(this.localDir);
    const files = new Map(this.engine.sourceFiles().map((f) => [f.name, f]));
    this.ruleTexts.retain(new Set(files.keys()));
    return this.engine.rules().map((r) => {
      const file = files.get(r.file);
      const yaml = file ? this.ruleTexts.get(file, r.id) : undefined;
      return { ...r, source: path.resolve(r.file).startsWith(`${local}${path.sep}`) ? 'local' : 'shipped', ...(yaml !== undefined ? { yaml } : {}) };
    });
  }

  issues(): LoadIssue[] {
    return this.engine.loadErrors();
  }

  status(): { rules: number; active: number; errors: number; warnings: number; reloads: number; correlation_keys: number; correlation_evictions: number; issues: LoadIssue[] } {
    const r = this.engine.report();
    const s = this.engine.stats();
    return {
      rules: r.rules, active: r.active, errors: r.errors, warnings: r.warnings, reloads: this.reloads,
      correlation_keys: s.correlationKeys, correlation_evictions: s.correlationEvictions,
      issues: r.issues.filter((i) => i.severity === 'error').slice(0, 50),
    };
  }

  validate(yaml: string, name = 'rules.yaml'): ValidationResult {
    return validateRulesYaml(yaml, path.join(this.localDir, name), { engine: this.engine, origin: 'local' });
  }

  private localPath(name: string): string {
    const file = /\.ya?ml$/.test(name) ? name : `${name}.yaml`;
    if (!LOCAL_NAME.test(file)) throw new RuleFileError(`rule file name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' (at most 64)`, 400);
    return path.join(this.localDir, file);
  }

  listLocal(): { name: string; yaml: string }[] {
    return fs.readdirSync(this.localDir).filter((f) => /\.ya?ml$/.test(f)).sort().map((name) => ({ name, yaml: fs.readFileSync(path.join(this.localDir, name), 'utf8') }));
  }

  /** Validates, then writes atomically and reloads. A file with errors is refused and nothing changes. */
  saveLocal(name: string, yaml: string): ValidationResult {
    const file = this.localPath(name);
    const result = validateRulesYaml(yaml, file, { engine: this.engine, origin: 'local' });
    if (!result.ok) throw new RuleFileError(`${path.basename(file)}: ${result.errors.length} error(s); not saved`, 422, result);
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, yaml, { mode: 0o600 });
    fs.renameSync(tmp, file);
    this.reload();
    return result;
  }

  deleteLocal(name: string): void {
    const file = this.localPath(name);
    try {
      fs.unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RuleFileError(`no local rule file ${path.basename(file)}`, 404);
      throw err;
    }
    this.reload();
  }

  /**
   * Runs test inputs through the same decode and rules path as live events, on a fork of the
   * running rules (plus `yaml` as an extra local file, or in place of the local file `name`): the
   * events share correlation state with each other and with nothing else.
   */
  test(inputs: unknown[], yaml?: string, name?: string): { results: ({ alerts: Alert[]; trace: RuleTrace[] } | { error: string })[]; errors?: ValidationResult } {
    const file = name === undefined ? path.join(this.localDir, '(test).yaml') : this.localPath(name);
    const extra = yaml === undefined ? [] : [{ name: file, text: yaml, origin: 'local' as const }];
    if (yaml !== undefined) {
      const v = validateRulesYaml(yaml, extra[0]!.name, { engine: this.engine, origin: 'local' });
      if (!v.ok) return { results: [], errors: v };
    }
    const engine = this.engine.fork(extra);
    const results = inputs.map((input, i) => {
      const ev = prepareInput(input, i);
      return 'event' in ev ? engine.evaluateWithTrace(ev as ShipEvent) : (ev as { error: string });
    });
    return { results };
  }

  close(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
  }
}
