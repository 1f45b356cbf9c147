// Writes schema/tools.schema.json from the zod schema the validator uses (run: bun run schema).
import { toolFileJsonSchema } from '../src/registry/schema.ts';

const path = new URL('../schema/tools.schema.json', import.meta.url);
await Bun.write(path, `${JSON.stringify(toolFileJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
