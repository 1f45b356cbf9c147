// Reads an OpenAPI 3.x or Swagger 2.0 document from a file or an http(s) URL, as JSON or YAML.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { NexusError } from '../errors.ts';
import { isRecord, type JsonRecord } from '../util/json.ts';

/** `3.1` also covers 3.2 documents, read by their 3.1 subset. */
export type SpecVersion = '2.0' | '3.0' | '3.1';

export interface LoadedSpec {
  readonly doc: JsonRecord;
  readonly version: SpecVersion;
  /** Where it came from, safe to print (a URL without credentials or query). */
  readonly source: string;
  /** The URL it was fetched from: the base of relative server URLs. */
  readonly url?: URL;
  readonly warnings: readonly string[];
}

const MAX_BYTES = 64 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

export async function loadSpec(source: string, fetchImpl: typeof fetch = fetch): Promise<LoadedSpec> {
  if (/^https?:\/\//i.test(source)) {
    const url = new URL(source);
    const shown = printableUrl(url);
    let res: Response;
    try {
      res = await fetchImpl(url, {
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        headers: { accept: 'application/json, application/yaml, text/yaml, */*' },
      });
    } catch (e) {
      throw new NexusError('UPSTREAM_UNREACHABLE', `cannot fetch ${shown}: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok) throw new NexusError('UPSTREAM_ERROR', `cannot fetch ${shown}: HTTP ${res.status}`);
    const text = await res.text();
    return parseSpec(text, shown, new URL(shown)); // the base for relative servers, without secrets
  }
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (e) {
    throw new NexusError('INVALID_INPUT', `cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseSpec(text, source);
}

export function parseSpec(text: string, source: string, url?: URL): LoadedSpec {
  if (text.length > MAX_BYTES) throw new NexusError('PAYLOAD_TOO_LARGE', `${source} is larger than ${MAX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parse(text, { uniqueKeys: false });
  } catch (e) {
    throw new NexusError('INVALID_INPUT', `${source} is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(doc)) throw new NexusError('INVALID_INPUT', `${source} is not an OpenAPI document (expected an object)`);
  const { version, warnings } = specVersion(doc, source);
  return { doc, version, source, ...(url && { url }), warnings };
}

function specVersion(doc: JsonRecord, source: string): { version: SpecVersion; warnings: string[] } {
  const v = String(doc.openapi ?? doc.swagger ?? '');
  if (doc.swagger !== undefined && v === '2.0') return { version: '2.0', warnings: [] };
  if (/^3\.0\.\d+/.test(v)) return { version: '3.0', warnings: [] };
  if (/^3\.1\.\d+/.test(v)) return { version: '3.1', warnings: [] };
  if (/^3\.2\.\d+/.test(v)) {
    return { version: '3.1', warnings: [`OpenAPI ${v} is read as 3.1: additionalOperations and the QUERY method are skipped`] };
  }
  throw new NexusError('INVALID_INPUT', `${source}: unsupported version "${v || 'none'}" (supported: Swagger 2.0, OpenAPI 3.0, 3.1)`);
}

/** A URL for messages and file comments: no user info, query or fragment (they may carry tokens). */
export function printableUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
