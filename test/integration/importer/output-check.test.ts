// An imported answer schema is often stricter than the API (GitHub's own examples break some): by default
// an imported tool does not list it and passes a mismatching answer on with a warning; `output_check:
// enforce` lists it and turns a mismatch into an isError result naming it.
import { expect, test } from 'bun:test';
import { Client } from 'sdk-v1-latest/client';
import { StreamableHTTPClientTransport } from 'sdk-v1-latest/client/streamableHttp.js';
import { emitToolFile } from '../../../src/importer/emit.ts';
import { importOpenApi } from '../../../src/importer/importer.ts';
import { parseSpec } from '../../../src/importer/load.ts';
import { loadToolsDir } from '../../../src/registry/load.ts';
import { formatIssue } from '../../../src/registry/yaml-file.ts';
import { startBackend } from '../../helpers/backend.ts';
import { startGateway, toolsDir } from '../../helpers/gateway.ts';

const document = (baseUrl: string) =>
  JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'Repos', version: '1' },
    servers: [{ url: baseUrl }],
    paths: {
      '/repo': {
        get: {
          operationId: 'getRepo',
          responses: {
            '200': {
              description: 'ok',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { id: { type: 'integer' }, topics: { type: 'array' } },
                    required: ['id', 'topics'],
                  },
                },
              },
            },
          },
        },
      },
    },
  });

test('an imported answer schema is not listed or enforced unless the operator asks', async () => {
  // the documented example leaves out `topics`, which the schema requires
  await using backend = startBackend(() => Response.json({ id: 7 }));
  const spec = parseSpec(document(backend.url), 'repos.json');
  const imported = importOpenApi(spec);
  expect(imported.file.tools[0]).toMatchObject({ output: { required: ['id', 'topics'] }, output_check: 'warn' });
  const header = { source: 'repos.json', title: 'Repos', specVersion: spec.version, generatedAt: new Date() };
  const warned = emitToolFile(imported.file, header);
  const enforced = emitToolFile(
    { ...imported.file, tools: imported.file.tools.map((t) => ({ ...t, name: 'getRepoStrict', output_check: 'enforce' as const })) },
    header,
  );
  expect(warned).toContain('output_check: warn');
  await using gw = await startGateway({ toolsDir: toolsDir({ 'repos.yaml': warned, 'strict.yaml': enforced }) });

  const client = new Client({ name: 'v1', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(gw.mcpUrl));
  try {
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'getRepo')?.outputSchema).toBeUndefined();
    expect(tools.find((t) => t.name === 'getRepoStrict')?.outputSchema).toMatchObject({ required: ['id', 'topics'] });

    // default: the answer passes (SDK v1 validates structuredContent itself only against a listed schema)
    const passed = await client.callTool({ name: 'getRepo', arguments: {} });
    expect(passed.isError).toBe(false);
    expect(passed.content).toEqual([{ type: 'text', text: '{"id":7}' }]);
    const warning = gw.logs.find((l) => l.includes('does not match the output schema'));
    expect(warning).toContain('getRepo');
    expect(warning).toContain('answer.topics: is required');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('nexus_output_mismatches_total{tool="getRepo"} 1');

    // opted in: the mismatch is a tool error that names it
    const refused = await client.callTool({ name: 'getRepoStrict', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(refused.content).toEqual([
      { type: 'text', text: "Backend answer does not match the tool's output schema: answer.topics: is required" },
    ]);
  } finally {
    await client.close();
  }
});

test('an unusable warn answer schema is a warning of check and logged once by serve; the tool serves', async () => {
  await using backend = startBackend(() => Response.json({ id: 7 }));
  const file = `backend:
  base_url: ${backend.url}
tools:
  - name: get_repo
    description: d
    request: { method: GET, path: /repo }
    output: { type: object, properties: { id: { type: 12 } } }
    output_check: warn
`;
  const dir = toolsDir({ 'repos.yaml': file });
  // nexus check reads every schema: this one decides nothing (never listed, only compared with
  // answers), so it is a warning with its line, and the file passes, as serve serves it
  const checked = loadToolsDir(dir, { env: {}, displayRoot: dir, thorough: true });
  expect(checked.issues).toEqual([]);
  expect(checked.tools.map((t) => t.name)).toEqual(['get_repo']);
  const warned = checked.warnings.map(formatIssue).join('\n');
  expect(warned).toContain('repos.yaml:7 tools[0].output: not a valid JSON Schema');
  expect(warned).toContain('the tool is served');

  // serve does not check it at start (it is never listed), so the tool serves; its first answer finds
  // the schema unusable, logs that once, and the answers pass as a warn answer would
  await using gw = await startGateway({ toolsDir: dir });
  const client = new Client({ name: 'v1', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(gw.mcpUrl));
  try {
    for (let i = 0; i < 3; i++) {
      const r = await client.callTool({ name: 'get_repo', arguments: {} });
      expect(r.isError).toBe(false);
      expect(r.content).toEqual([{ type: 'text', text: '{"id":7}' }]);
    }
    const warnings = gw.logs.filter((l) => l.includes('is not a usable JSON Schema'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('get_repo');
  } finally {
    await client.close();
  }
});
