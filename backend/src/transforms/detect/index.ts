// Public surface of the detection engine (DESIGN.md §5). Rule format: rules/README.md.

export { DetectionEngine, DEFAULT_MAX_CORRELATION_KEYS } from './engine.js';
export { validateRulesYaml, type ValidationContext, type ValidationMessage, type ValidationResult } from './validate.js';
export { re2Status } from './regex.js';
export { DEFAULT_KNOWN_FIELDS } from './fields.js';
export type { ClauseTrace, CorrelationTrace, EngineOptions, LoadIssue, LoadReport, Origin, RuleFile, RuleInfo, RuleTrace } from './types.js';
