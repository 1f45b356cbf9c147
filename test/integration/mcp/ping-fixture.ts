// One tool over a stand-in backend that answers {"ok": true}, for the client-compatibility tests.
import { startBackend } from '../../helpers/backend.ts';
import { toolsDir } from '../../helpers/gateway.ts';

export function pingFixture() {
  const backend = startBackend(() => Response.json({ ok: true }));
  const dir = toolsDir({
    'tools.yaml': `
backend: { base_url: ${backend.url} }
tools:
  - { name: ping_backend, description: Ping the backend., request: { method: GET, path: /ping } }
`,
  });
  return { backend, dir };
}
