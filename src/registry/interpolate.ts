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

export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  seen: Interpolation,
  path: PathPart[] = [],
): unknown {
  const { problems } = seen;
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (ref: string, name: string, fallback: string | undefined) => {
      seen.refs++;
      if (FORBIDDEN.test(name)) {
        problems.push({ path, message: `\${env:${name}} is not allowed: Nexus's own secrets never reach a backend` });
        return '';
      }
      const v = env[name] ?? fallback;
      if (v === undefined) problems.push({ path, message: `environment variable ${name} is not set` });
      return v ?? ref; // left as written: the missing variable is the one issue reported
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, seen, [...path, i]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SKIP.has(k) ? v : interpolateEnv(v, env, seen, [...path, k]);
    return out;
  }
  return value;
}
