import { useEffect, useState } from 'react';
import { collectorApi } from '../../api/client';
import { errorMessage } from '../../api/errors';
import type { ValidationResult } from '../../api/types';

export const VALIDATE_DELAY_MS = 400;

export interface Validation {
  result?: ValidationResult;
  /** The validate request itself failed (collector unreachable, not allowed, ...). */
  error?: string;
  /** The text changed since the last answer. */
  pending: boolean;
}

interface Answer {
  key: string;
  result?: ValidationResult;
  error?: string;
}

/**
 * Validates the file against the running rules a moment after typing stops. `name` is the file's
 * name: the collector then checks it in place of its saved version, so its own ids do not clash.
 */
export function useDebouncedValidation(yaml: string, name: string, delayMs = VALIDATE_DELAY_MS): Validation {
  const [answer, setAnswer] = useState<Answer | undefined>();
  const key = `${name}\n${yaml}`;
  const blank = yaml.trim() === '';

  useEffect(() => {
    if (blank) {
      return undefined;
    }
    let active = true;
    const timer = setTimeout(() => {
      collectorApi.validateRules(yaml, name).then(
        (result) => active && setAnswer({ key, result }),
        (err: unknown) => active && setAnswer({ key, error: errorMessage(err) })
      );
    }, delayMs);
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [key, yaml, name, delayMs, blank]);

  if (blank) {
    return { pending: false };
  }
  return answer?.key === key ? { result: answer.result, error: answer.error, pending: false } : { pending: true };
}
