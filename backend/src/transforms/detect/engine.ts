// Evaluation. Each candidate root (from the index) starts a walk down its tree: a rule matches when
// its condition holds, no exception applies and its correlation threshold (if any) is reached;
// then its children are tried in sibling order and the first that matches is followed. The
// deepest rule reached is the tree's verdict: level 0 stays silent, `ignore` may suppress it,
// anything else becomes one alert.

import { severityOf, type Alert, type ShipEvent } from '../../event/event.js';
import { nowRfc3339 } from '../../event/time.js';
import { uuidv7 } from '../../event/id.js';
import { clearWindow, CorrelationStore, eventTimeMs, recordOccurrence, tupleKey, type KeyState } from './correlation.js';
import { formatDuration } from './duration.js';
import { buildRuleSet, readRuleDir, type CompiledRule, type RuleSet } from './loader.js';
import type { ClauseTrace, EngineOptions, LoadIssue, LoadReport, RuleFile, RuleInfo, RuleTrace } from './types.js';

export const DEFAULT_MAX_CORRELATION_KEYS = 100_000;

const ALERT_ORDER = (a: Alert, b: Alert): number => b.rule.level - a.rule.level || a.rule.id - b.rule.id;

interface Fired {
  st: KeyState;
  count: number;
  rule: CompiledRule;
}

/** Per-event scratch, reused between events to keep the hot path free of allocations. */
class EvalContext {
  ev: unknown = undefined;
  private timeRead = false;
  private time = NaN;
  /** Correlated rules that reached their threshold in the current tree: fired[0..firedCount). */
  readonly fired: Fired[] = [];
  firedCount = 0;
  trace: RuleTrace[] | undefined;
  /** The rule being evaluated, to charge a runtime error to the right one. */
  current: CompiledRule | undefined;

  reset(ev: unknown, trace: RuleTrace[] | undefined): void {
    this.ev = ev;
    this.timeRead = false;
    this.time = NaN;
    this.firedCount = 0;
    this.trace = trace;
  }

  /** Event time in ms, read once per event and only if a rule needs it. */
  timeMs(): number {
    if (!this.timeRead) {
      this.timeRead = true;
      const meta = (this.ev as { event?: { time?: unknown } } | null)?.event;
      this.time = meta !== null && typeof meta === 'object' ? eventTimeMs(meta.time) : NaN;
    }
    return this.time;
  }
}

type FileSource = () => { files: RuleFile[]; issues: LoadIssue[] };

export class DetectionEngine {
  private set: RuleSet;
  private readonly store: CorrelationStore;
  private runtimeErrors = 0;
  private readonly ctx = new EvalContext();
  private readonly candidates: CompiledRule[] = [];
  private files: RuleFile[] = [];

  private constructor(
    private readonly source: FileSource,
    private readonly opts: EngineOptions,
  ) {
    this.store = new CorrelationStore(Math.max(1, opts.maxCorrelationKeys ?? DEFAULT_MAX_CORRELATION_KEYS));
    this.set = this.build();
  }

  /** Shipped rules plus the user's local directory (which may hold overrides). */
  static fromDirs(opts: { shippedDir: string; localDir?: string } & EngineOptions): DetectionEngine {
    return new DetectionEngine(() => {
      const issues: LoadIssue[] = [];
      const files = [...readRuleDir(opts.shippedDir, 'shipped', issues), ...(opts.localDir ? readRuleDir(opts.localDir, 'local', issues) : [])];
      return { files, issues };
    }, opts);
  }

  /** Rules from strings (tests, the rule-test API). A file's origin defaults to 'shipped'. */
  static fromYaml(files: RuleFile[], opts: EngineOptions = {}): DetectionEngine {
    const copy = files.map((f) => ({ ...f }));
    return new DetectionEngine(() => ({ files: copy, issues: [] }), opts);
  }

  /**
   * A new engine with the same rules plus `extra` files (a local file of the same name is
   * replaced) and empty correlation state: what the rule-test API runs a batch of events on.
   */
  fork(extra: RuleFile[] = []): DetectionEngine {
    const names = new Set(extra.map((f) => f.name));
    const files = [...this.files.filter((f) => !names.has(f.name)), ...extra.map((f) => ({ origin: 'local' as const, ...f }))];
    return DetectionEngine.fromYaml(files, this.opts);
  }

  /** The files the current rule set was built from. */
  sourceFiles(): RuleFile[] {
    return this.files.map((f) => ({ ...f }));
  }

  private build(): RuleSet {
    const { files, issues } = this.source();
    this.files = files;
    return buildRuleSet(files, this.opts, issues);
  }

  /** Re-reads the files. Correlation state of rules whose definition did not change is kept. */
  reload(): LoadReport {
    const next = this.build();
    this.set = next;
    this.candidates.length = 0;
    this.store.retainRules(new Set([...next.byId.values()].map((r) => r.stateKey)));
    return this.report();
  }

  report(): LoadReport {
    const issues = this.set.issues;
    return {
      files: this.set.files,
      rules: this.set.infos.length,
      active: this.set.active,
      errors: issues.filter((i) => i.severity === 'error').length,
      warnings: issues.filter((i) => i.severity === 'warning').length,
      issues: [...issues],
    };
  }

  rules(): RuleInfo[] {
    return this.set.infos.map((info) => {
      const compiled = this.set.byId.get(info.id);
      const out: RuleInfo = { ...info, groups: [...info.groups], mitre: [...info.mitre] };
      if (compiled && compiled.def.file === info.file && compiled.def.pos.line === info.line) out.runtimeErrors = compiled.runtimeErrors;
      return out;
    });
  }

  loadErrors(): LoadIssue[] {
    return [...this.set.issues];
  }

  stats(): { correlationKeys: number; correlationEvictions: number; runtimeErrors: number } {
    return { correlationKeys: this.store.size, correlationEvictions: this.store.evictions, runtimeErrors: this.runtimeErrors };
  }

  /** Alerts for one event. Never throws: a failing rule is counted and skipped. */
  evaluate(event: ShipEvent): Alert[] {
    return this.run(event, undefined);
  }

  /** Alerts plus, for every rule considered, each clause with its result and the value it saw. */
  evaluateWithTrace(event: ShipEvent): { alerts: Alert[]; trace: RuleTrace[] } {
    const trace: RuleTrace[] = [];
    const alerts = this.run(event, trace);
    return { alerts, trace };
  }

  private run(event: ShipEvent, trace: RuleTrace[] | undefined): Alert[] {
    const alerts: Alert[] = [];
    const set = this.set;
    const cands = this.candidates;
    let n: number;
    try {
      n = set.index.candidates(event, cands);
    } catch {
      this.runtimeErrors += 1;
      return alerts;
    }
    set.memos.nextEvent();
    const ctx = this.ctx;
    ctx.reset(event, trace);
    for (let i = 0; i < n; i += 1) {
      const root = cands[i]!;
      ctx.firedCount = 0;
      ctx.current = undefined;
      try {
        const hit = trace ? this.walkTraced(root, ctx) : this.walk(root, ctx);
        if (hit) this.conclude(hit, ctx, alerts);
      } catch (e) {
        this.charge(e, ctx, root);
      }
    }
    // Do not keep the last event (possibly large) alive until the next one.
    ctx.ev = undefined;
    ctx.trace = undefined;
    ctx.current = undefined;
    if (alerts.length > 1) alerts.sort(ALERT_ORDER);
    return alerts;
  }

  /**
   * Counts the event toward a correlated rule and returns the window's count, or -1 when the event
   * cannot be counted (no valid time, a `same` or `different` field missing). Reaching the
   * threshold registers the window in ctx.fired.
   */
  private correlate(rule: CompiledRule, ctx: EvalContext): number {
    const t = ctx.timeMs();
    if (t !== t) return -1;
    const same = tupleKey(rule.same, ctx.ev, false);
    if (same === undefined) return -1;
    let diff: string | undefined;
    if (rule.different.length > 0) {
      diff = tupleKey(rule.different, ctx.ev, false);
      if (diff === undefined) return -1;
    }
    const st = this.store.state(`${rule.stateKey}\u0000${same}`);
    const count = recordOccurrence(st, t, rule.frequency!, rule.timeframeMs!, diff);
    if (count >= rule.frequency!) {
      const slot = ctx.fired[ctx.firedCount];
      if (slot) {
        slot.st = st;
        slot.count = count;
        slot.rule = rule;
      } else ctx.fired.push({ st, count, rule });
      ctx.firedCount += 1;
    }
    return count;
  }

  private walk(rule: CompiledRule, ctx: EvalContext): CompiledRule | undefined {
    const ev = ctx.ev;
    ctx.current = rule;
    if (!rule.test(ev)) return undefined;
    if (rule.exceptions && rule.exceptions(ev) !== undefined) return undefined;
    if (rule.frequency !== undefined && this.correlate(rule, ctx) < rule.frequency) return undefined;
    const kids = rule.children;
    for (let i = 0; i < kids.length; i += 1) {
      let deeper: CompiledRule | undefined;
      try {
        deeper = this.walk(kids[i]!, ctx);
      } catch (e) {
        // A child that fails counts as not matching: its siblings and its parent carry on.
        this.charge(e, ctx, kids[i]!);
        continue;
      }
      if (deeper) return deeper;
    }
    return rule;
  }

  private charge(e: unknown, ctx: EvalContext, fallback: CompiledRule): void {
    const culprit = ctx.current ?? fallback;
    this.runtimeErrors += 1;
    culprit.runtimeErrors += 1;
    if (ctx.trace) {
      const entry = findLast(ctx.trace, culprit.id);
      if (entry && entry.error === undefined) entry.error = messageOf(e);
      else ctx.trace.push({ ruleId: culprit.id, level: culprit.level, conditionMatched: false, matched: false, error: messageOf(e), clauses: [] });
    }
    ctx.current = undefined;
  }

  // Same decisions as walk(), recording them; kept separate so the untraced path stays lean.
  private walkTraced(rule: CompiledRule, ctx: EvalContext): CompiledRule | undefined {
    const ev = ctx.ev;
    ctx.current = rule;
    const clauses: ClauseTrace[] = [];
    const entry: RuleTrace = { ruleId: rule.id, level: rule.level, conditionMatched: false, matched: false, clauses };
    if (rule.parent) entry.parent = rule.parent.id;
    ctx.trace!.push(entry);
    entry.conditionMatched = rule.trace(ev, clauses);
    if (!entry.conditionMatched) return undefined;
    if (rule.exceptions) {
      const hit = rule.exceptions(ev);
      if (hit !== undefined) {
        entry.exception = hit;
        return undefined;
      }
    }
    if (rule.frequency !== undefined) {
      const count = this.correlate(rule, ctx);
      const reached = count >= rule.frequency;
      entry.correlation = { count: Math.max(count, 0), frequency: rule.frequency, timeframe: formatDuration(rule.timeframeMs!), reached };
      if (!reached) return undefined;
    }
    entry.matched = true;
    for (const kid of rule.children) {
      let deeper: CompiledRule | undefined;
      try {
        deeper = this.walkTraced(kid, ctx);
      } catch (e) {
        this.charge(e, ctx, kid);
        continue;
      }
      if (deeper) return deeper;
    }
    return rule;
  }

  private conclude(hit: CompiledRule, ctx: EvalContext, alerts: Alert[]): void {
    const traceEntry = ctx.trace ? findLast(ctx.trace, hit.id) : undefined;
    if (hit.level === 0) {
      for (let i = 0; i < ctx.firedCount; i += 1) clearWindow(ctx.fired[i]!.st);
      if (traceEntry) traceEntry.outcome = 'silent';
      return;
    }
    if (hit.ignoreMs !== undefined) {
      const t = ctx.timeMs();
      // Without a usable time there is no window to suppress in; the alert goes out.
      if (t === t) {
        const st = this.store.state(`${hit.stateKey}\u0000${tupleKey(hit.same, ctx.ev, true)}`);
        if (t < st.suppressUntil) {
          // A suppressed threshold keeps its window sliding, so a sustained burst alerts again
          // as soon as the suppression ends.
          if (traceEntry) traceEntry.outcome = 'suppressed';
          return;
        }
        st.suppressUntil = t + hit.ignoreMs;
      }
    }
    let count = 1;
    for (let i = 0; i < ctx.firedCount; i += 1) {
      const f = ctx.fired[i]!;
      if (f.rule === hit) count = f.count;
      clearWindow(f.st);
    }
    if (traceEntry) traceEntry.outcome = 'alert';
    alerts.push(this.alert(hit, ctx.ev as ShipEvent, count));
  }

  private alert(rule: CompiledRule, ev: ShipEvent, count: number): Alert {
    const time = ev.event?.time;
    return {
      id: uuidv7(),
      time: typeof time === 'string' ? time : nowRfc3339(),
      rule: { id: rule.id, level: rule.level, description: rule.template(ev), groups: [...rule.groups], mitre: [...rule.mitre] },
      severity: severityOf(rule.level),
      count,
      event: ev,
    };
  }
}

/** The message of a thrown value; whatever was thrown, this does not throw itself. */
function messageOf(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message) : String(e);
  } catch {
    return 'unprintable error';
  }
}

function findLast(trace: RuleTrace[], id: number): RuleTrace | undefined {
  for (let i = trace.length - 1; i >= 0; i -= 1) if (trace[i]!.ruleId === id) return trace[i];
  return undefined;
}
