// Builds the release bundle once per test process, into a temp dir (never the shared dist/).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dir, '../../..');
let built: Promise<string> | undefined;

async function run(cmd: string[]): Promise<string> {
  const p = Bun.spawn(cmd, { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited ${code}: ${err}${out}`);
  return out;
}

/** `bun scripts/build.ts --outdir TMP`: the same code path as `bun run build`. */
export const buildRelease = (): Promise<string> =>
  (built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-release-'));
    await run([process.execPath, 'scripts/build.ts', '--outdir', dir]);
    return dir;
  })());

/** Compiles one entry file into a standalone executable. */
export async function compile(entry: string, outfile: string): Promise<string> {
  await run([process.execPath, 'build', '--compile', entry, '--outfile', outfile]);
  return outfile;
}

/**
 * Resolves with the first match of `pattern` in a stream's text; rejects if the stream ends first.
 * Keeps draining afterwards so the child never blocks or fails writing to a closed pipe.
 */
export function waitForOutput(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    let found = false;
    const decoder = new TextDecoder();
    void (async () => {
      for await (const chunk of stream) {
        if (found) continue;
        text += decoder.decode(chunk, { stream: true });
        const m = text.match(pattern);
        if (m) {
          found = true;
          resolve(m);
        }
      }
      if (!found) reject(new Error(`process output ended without ${pattern}: ${text.slice(-2000)}`));
    })().catch(reject);
  });
}
