// `npm run demo`: the demo backend and the gateway side by side, ready for an MCP client.
import { parseCommandArgs, resolveConfig } from '../src/config/config.ts';
import { startDemoBackend } from './demo-backend.ts';

// the port `nexus serve` will use, from the same flags and environment
const { port } = resolveConfig(parseCommandArgs(process.argv.slice(2)).values, process.env);

const backend = startDemoBackend();
console.error(`demo backend: http://127.0.0.1:${backend.port} (issue tracker, CRM, inventory)`);
const gateway = Bun.spawn([process.execPath, 'src/main.ts', 'serve', ...process.argv.slice(2)], {
  cwd: new URL('..', import.meta.url).pathname,
  stdio: ['inherit', 'inherit', 'inherit'],
  env: { ...process.env },
});
console.error(`
Nexus is starting on http://127.0.0.1:${port}/mcp
  try:  npx @modelcontextprotocol/inspector  (transport: Streamable HTTP, URL above)
  or:   curl -s localhost:${port}/mcp -H 'content-type: application/json' \\
          -H 'accept: application/json, text/event-stream' \\
          -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
Ctrl-C stops both.
`);
const stop = () => {
  gateway.kill('SIGTERM');
  backend.stop(true);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.exitCode = await gateway.exited;
backend.stop(true);
