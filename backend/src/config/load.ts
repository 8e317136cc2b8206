import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

/** A configuration problem, said the way a user can act on: which key, from where, what was expected. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, Record<string, unknown>>;
type Origin = { kind: 'file'; file: string; line: number; column: number } | { kind: 'env'; name: string } | { kind: 'flag'; name: string };

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** `section.key=value` pairs from the command line. */
  flags?: string[];
}

const ENV_PREFIX = 'SHIPWATCH_';
/** Environment variables of that prefix that are not config keys. */
const ENV_NOT_CONFIG = new Set(['SHIPWATCH_CONFIG']);

/**
 * Defaults < file < environment < flags. Values from the environment and flags are YAML scalars, so
 * `SHIPWATCH_DOCKER_ENABLED=false` is a boolean and `SHIPWATCH_STORE_MAX_BYTES=1GiB` a string.
 */
export function loadConfig(opts: LoadOptions = {}): Config {
  const raw: Raw = {};
  const origins = new Map<string, Origin>();
  if (opts.file) readFile(opts.file, raw, origins);
  readEnv(opts.env ?? process.env, raw, origins);
  for (const flag of opts.flags ?? []) readFlag(flag, raw, origins);

  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describe(result.error, origins, opts.file));
  return result.data;
}

function readFile(file: string, raw: Raw, origins: Map<string, Origin>): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new ConfigError(`config file ${file}:${pos?.line ?? 0}:${pos?.col ?? 0}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  if (doc.contents === null) return;
  const where = (node: Node | null | undefined) => {
    const p = lines.linePos(node?.range?.[0] ?? 0);
    return { line: p.line, column: p.col };
  };
  if (!isMap(doc.contents)) throw new ConfigError(`config file ${file}: expected a mapping of sections (api, docker, store, ...) at the top level`);
  for (const sectionPair of doc.contents.items) {
    const section = String(isScalar(sectionPair.key) ? sectionPair.key.value : sectionPair.key);
    const value = sectionPair.value as Node | null;
    if (value === null || (isScalar(value) && value.value === null)) continue;
    if (!isMap(value)) {
      const p = where(value);
      throw new ConfigError(`config file ${file}:${p.line}:${p.column}: ${section}: expected a mapping of keys, got ${isScalar(value) ? typeof value.value : 'a list'}`);
    }
    const target = (raw[section] ??= {});
    for (const pair of value.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const node = pair.value as Node | null;
      target[key] = node && 'toJSON' in node ? node.toJSON() : null;
      origins.set(`${section}.${key}`, { kind: 'file', file, ...where(node ?? (pair.key as Node)) });
    }
  }
}

function readEnv(env: NodeJS.ProcessEnv, raw: Raw, origins: Map<string, Origin>): void {
  const sections = Object.keys(configSchema.shape);
  for (const [name, value] of Object.entries(env)) {
    // An empty variable counts as unset, as compose files and Helm charts often pass them empty.
    if (!name.startsWith(ENV_PREFIX) || !value || ENV_NOT_CONFIG.has(name)) continue;
    const rest = name.slice(ENV_PREFIX.length).toLowerCase();
    const section = sections.find((s) => rest.startsWith(`${s}_`));
    if (!section) {
      throw new ConfigError(`environment variable ${name}: no such config section (sections: ${sections.join(', ')})`);
    }
    const key = rest.slice(section.length + 1);
    (raw[section] ??= {})[key] = scalar(value);
    origins.set(`${section}.${key}`, { kind: 'env', name });
  }
}

function readFlag(flag: string, raw: Raw, origins: Map<string, Origin>): void {
  const m = /^([a-z0-9]+)\.([a-z0-9_]+)=(.*)$/s.exec(flag);
  if (!m) throw new ConfigError(`flag --set ${flag}: expected section.key=value`);
  const [, section, key, value] = m as unknown as [string, string, string, string];
  (raw[section] ??= {})[key] = scalar(value);
  origins.set(`${section}.${key}`, { kind: 'flag', name: `--set ${section}.${key}` });
}

function scalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text) && text.length < 16) return Number(text);
  return text;
}

function describe(error: z.ZodError, origins: Map<string, Origin>, file: string | undefined): string {
  return error.issues
    .map((issue) => {
      const keyPath = [...issue.path.map(String)];
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((k) => {
          const full = [...keyPath, k].join('.');
          const known = Object.keys(knownKeys(keyPath)).join(', ');
          return `${where(full, origins, file)}unknown key ${full}${known ? ` (known keys: ${known})` : ''}`;
        }).join('\n');
      }
      const full = keyPath.join('.');
      const got = issue.code === 'invalid_type' && 'input' in issue ? `, got ${typeName(issue.input)}` : '';
      return `${where(full, origins, file)}${full}: ${issue.message}${got}`;
    })
    .join('\n');
}

function knownKeys(keyPath: string[]): Record<string, unknown> {
  if (keyPath.length === 0) return configSchema.shape;
  const section = configSchema.shape[keyPath[0] as keyof typeof configSchema.shape];
  const inner = section?.def.type === 'default' || section?.def.type === 'prefault' ? (section.def as { innerType: z.ZodObject }).innerType : section;
  return (inner as z.ZodObject | undefined)?.shape ?? {};
}

function where(key: string, origins: Map<string, Origin>, file: string | undefined): string {
  const o = origins.get(key);
  if (!o) return file ? `config file ${path.basename(file)}: ` : '';
  if (o.kind === 'file') return `config file ${o.file}:${o.line}:${o.column}: `;
  return `${o.kind === 'env' ? 'environment variable' : 'flag'} ${o.name}: `;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v;
}
