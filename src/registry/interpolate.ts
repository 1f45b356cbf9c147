// `${env:NAME}` (or `${env:NAME:-default}`) in tool files, resolved at load. Argument schemas are left alone, and the gateway's own
// secrets can never be interpolated into a backend request.
import type { PathPart } from './yaml-file.ts';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const FORBIDDEN = /^(NEXUS_MASTER_KEY|NEXUS_NEW_MASTER_KEY|NEXUS_ADMIN_TOKEN|DATABASE_URL|REDIS_URL)/;
const SKIP = new Set(['input', 'output', 'description', 'title']);

export interface InterpolationProblem {
  readonly path: PathPart[];
  readonly message: string;
}

/** What interpolation met: its problems, and how many references it resolved or refused. */
export interface Interpolation {
  readonly problems: InterpolationProblem[];
  refs: number;
}

/**
 * The value with every reference resolved. Copy on write: a string, array or object without a
 * reference is returned as it is (a big imported file has none), and paths are built only for problems.
 */
export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  seen: Interpolation,
  path: PathPart[] = [],
): unknown {
  const at = [...path];
  return walk(value, env, seen, at);
}

function walk(value: unknown, env: Readonly<Record<string, string | undefined>>, seen: Interpolation, at: PathPart[]): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${env:')) return value;
    const { problems } = seen;
    return value.replace(ENV_REF, (ref: string, name: string, fallback: string | undefined) => {
      seen.refs++;
      if (FORBIDDEN.test(name)) {
        problems.push({ path: [...at], message: `\${env:${name}} is not allowed: Nexus's own secrets never reach a backend` });
        return '';
      }
      const v = env[name] ?? fallback;
      if (v === undefined) problems.push({ path: [...at], message: `environment variable ${name} is not set` });
      return v ?? ref; // left as written: the missing variable is the one issue reported
    });
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      const v = walk(value[i], env, seen, at);
      at.pop();
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (value && typeof value === 'object') {
    let out: Record<string, unknown> | undefined;
    for (const k in value) {
      if (SKIP.has(k) || !Object.hasOwn(value, k)) continue;
      const old = (value as Record<string, unknown>)[k];
      at.push(k);
      const v = walk(old, env, seen, at);
      at.pop();
      if (v !== old) (out ??= { ...value })[k] = v;
    }
    return out ?? value;
  }
  return value;
}
