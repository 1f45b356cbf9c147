// Writes schema/tools.schema.json from the zod schema the validator uses, and the precompiled
// JSON Schema 2020-12 meta-schema validator (run: bun run schema).
import { metaValidatorSource } from '../src/registry/meta-validator-source.ts';
import { toolFileJsonSchema } from '../src/registry/schema.ts';

const path = new URL('../schema/tools.schema.json', import.meta.url);
await Bun.write(path, `${JSON.stringify(toolFileJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
const meta = new URL('../src/registry/generated/meta-validator.js', import.meta.url);
await Bun.write(meta, metaValidatorSource());
console.log(`wrote ${meta.pathname}`);
