// Test helper: validates a document against the official OpenAPI 3.1 JSON Schema (test/fixtures/openapi).

import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

let validate: ValidateFunction | undefined;

export async function openApi31Issues(doc: unknown): Promise<string[]> {
  if (!validate) {
    const text = await Bun.file(new URL('../fixtures/openapi/oas-3.1-schema.yaml', import.meta.url)).text();
    // ajv resolves the schema's `$dynamicRef: '#meta'` to the document root instead of the
    // `$dynamicAnchor: meta` in $defs/schema; pointing it there directly is what the anchor means.
    const schema = JSON.parse(JSON.stringify(parse(text)).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}'));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addFormat('media-range', /^[\w.+*-]+\/[\w.+*-]+(\s*;.*)?$/);
    validate = ajv.compile(schema);
  }
  return validate(doc) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message}`);
}
