import { compileGlob, type StringTest } from '../../transforms/detect/regex.js';
import type { LogsConfig } from './config.js';

/** The label that opts a container out: `shipwatch.logs=false`. */
export const OPT_OUT_LABEL = 'shipwatch.logs';

/** What the filter looks at: from the container list or from inspect. */
export interface ContainerIdentity {
  id: string;
  /** Without the leading `/`. */
  name: string;
  image: string;
  labels: Record<string, string>;
}

interface LabelMatcher {
  key: string;
  value?: StringTest;
}

function labelMatcher(text: string): LabelMatcher {
  const eq = text.indexOf('=');
  if (eq < 0) return { key: text.trim() };
  return { key: text.slice(0, eq).trim(), value: compileGlob(text.slice(eq + 1)) };
}

function labelMatches(m: LabelMatcher, labels: Record<string, string>): boolean {
  if (!Object.hasOwn(labels, m.key)) return false;
  return m.value === undefined || m.value(labels[m.key]!);
}

export type FilterVerdict = { follow: true } | { follow: false; reason: string };

/**
 * Which containers are followed. Each non-empty include list must match (one of its entries);
 * any exclude entry that matches excludes. `shipwatch.logs=false` and the collector's own
 * container are never followed.
 */
export class ContainerFilter {
  private readonly includeNames: StringTest[];
  private readonly excludeNames: StringTest[];
  private readonly includeImages: StringTest[];
  private readonly excludeImages: StringTest[];
  private readonly includeLabels: LabelMatcher[];
  private readonly excludeLabels: LabelMatcher[];

  constructor(cfg: Pick<LogsConfig, 'include_names' | 'exclude_names' | 'include_images' | 'exclude_images' | 'include_labels' | 'exclude_labels'>, private readonly selfId?: string) {
    this.includeNames = cfg.include_names.map(compileGlob);
    this.excludeNames = cfg.exclude_names.map(compileGlob);
    this.includeImages = cfg.include_images.map(compileGlob);
    this.excludeImages = cfg.exclude_images.map(compileGlob);
    this.includeLabels = cfg.include_labels.map(labelMatcher);
    this.excludeLabels = cfg.exclude_labels.map(labelMatcher);
  }

  decide(c: ContainerIdentity): FilterVerdict {
    if (this.selfId && (c.id.startsWith(this.selfId) || this.selfId.startsWith(c.id))) return { follow: false, reason: 'the collector itself' };
    const optOut = c.labels[OPT_OUT_LABEL];
    if (optOut !== undefined && ['false', '0', 'no', 'off'].includes(optOut.trim().toLowerCase())) return { follow: false, reason: `label ${OPT_OUT_LABEL}=${optOut}` };
    const name = c.name.replace(/^\//, '');
    if (this.includeNames.length > 0 && !this.includeNames.some((r) => r(name))) return { follow: false, reason: 'name not included' };
    if (this.includeImages.length > 0 && !this.includeImages.some((r) => r(c.image))) return { follow: false, reason: 'image not included' };
    if (this.includeLabels.length > 0 && !this.includeLabels.some((m) => labelMatches(m, c.labels))) return { follow: false, reason: 'labels not included' };
    if (this.excludeNames.some((r) => r(name))) return { follow: false, reason: 'name excluded' };
    if (this.excludeImages.some((r) => r(c.image))) return { follow: false, reason: 'image excluded' };
    if (this.excludeLabels.some((m) => labelMatches(m, c.labels))) return { follow: false, reason: 'label excluded' };
    return { follow: true };
  }
}
