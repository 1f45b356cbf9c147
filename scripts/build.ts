// `bun run build [--target linux-x64|linux-arm64] [--arm64] [--outdir dist] [--outfile PATH]`
// Compiles src/main.ts into one executable that carries everything it needs at run time, and lays out
// dist/ as the release bundle: nexus, nexus.sha256, install.sh, tools/ (examples), schema/.
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import pkg from '../package.json' with { type: 'json' };
import { NexusError } from '../src/errors.ts';

const ROOT = resolve(import.meta.dir, '..');
const TARGETS: Record<string, string> = {
  'linux-x64': 'bun-linux-x64',
  'linux-amd64': 'bun-linux-x64', // Docker's TARGETARCH spelling
  'linux-arm64': 'bun-linux-arm64',
  'linux-aarch64': 'bun-linux-arm64',
};

export interface BuildArgs {
  /** Bun's compile target, e.g. `bun-linux-x64`. */
  readonly target: string;
  /** The release bundle directory (tools/, schema/, install.sh). */
  readonly outdir: string;
  readonly outfile: string;
}

export function parseBuildArgs(argv: readonly string[]): BuildArgs {
  let target = 'linux-x64';
  let outdir = 'dist';
  let outfile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--arm64') target = 'linux-arm64';
    else if (flag === '--target') target = value().replace(/^bun-/, '');
    else if (flag === '--outfile') outfile = value();
    else if (flag === '--outdir') outdir = value();
    else throw new NexusError('INVALID_INPUT', `build: unknown argument "${a}"`);
  }
  const bunTarget = TARGETS[target];
  if (!bunTarget) throw new NexusError('INVALID_INPUT', `build: unknown target "${target}"; use one of ${Object.keys(TARGETS).join(', ')}`);
  const arm = bunTarget === 'bun-linux-arm64';
  outdir = resolve(outdir);
  const defaultName = arm ? 'nexus-linux-arm64' : 'nexus';
  return { target: bunTarget, outdir, outfile: outfile ? resolve(outfile) : join(outdir, defaultName) };
}

function run(cmd: string[], what: string): string {
  const r = Bun.spawnSync(cmd, { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}):\n${r.stderr.toString()}${r.stdout.toString()}`);
  return r.stdout.toString();
}

function commit(): string {
  if (process.env.NEXUS_COMMIT) return process.env.NEXUS_COMMIT; // Docker builds have no .git
  try {
    return run(['git', 'rev-parse', '--short', 'HEAD'], 'git').trim() || 'dev';
  } catch {
    return 'dev';
  }
}

function buildDate(): string {
  // SOURCE_DATE_EPOCH makes the build reproducible (https://reproducible-builds.org/specs/source-date-epoch/).
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function build(args: BuildArgs): Promise<void> {
  const defines = { NEXUS_BUILD_VERSION: pkg.version, NEXUS_BUILD_COMMIT: commit(), NEXUS_BUILD_DATE: buildDate() };
  mkdirSync(dirname(args.outfile), { recursive: true });
  mkdirSync(args.outdir, { recursive: true });
  const started = performance.now();
  try {
    run(
      [
        process.execPath,
        'build',
        '--compile',
        // JavaScriptCore bytecode in the executable: start-up skips parsing ~1,000 modules (GitHub's
        // 1,221 tools: first start ~1.14 s -> ~0.97 s, cached ~0.53 s -> ~0.40 s; examples 510 -> 400 ms
        // CPU) for ~9 MB more file and <1 MB more RSS. ESM bytecode needs --compile and --format=esm.
        '--bytecode',
        '--format=esm',
        '--minify',
        '--sourcemap',
        `--target=${args.target}`,
        ...Object.entries(defines).flatMap(([k, v]) => ['--define', `${k}=${JSON.stringify(v)}`]),
        // the audit writer runs in a worker thread: its entry point must be compiled in beside main.ts
        'src/main.ts',
        'src/audit/writer-worker.ts',
        '--outfile',
        args.outfile,
      ],
      'bun build',
    );
  } catch (e) {
    // Cross-compiling fetches the target's Bun runtime from the npm registry; offline that fails.
    if (args.target !== 'bun-linux-x64')
      console.error(
        `build: could not compile for ${args.target}; cross-compiling needs the bun runtime for that target (fetched from the npm registry, cached under ~/.bun/install/cache).`,
      );
    throw e;
  }
  chmodSync(args.outfile, 0o755);
  rmSync(`${args.outfile}.map`, { force: true }); // the source map is embedded in the executable
  const bytes = await Bun.file(args.outfile).bytes();
  const sha = new Bun.CryptoHasher('sha256').update(bytes).digest('hex');
  writeFileSync(`${args.outfile}.sha256`, `${sha}  ${basename(args.outfile)}\n`);

  // The release bundle next to the binary: what install.sh and the Docker image pick up.
  for (const dir of ['tools', 'schema']) {
    rmSync(join(args.outdir, dir), { recursive: true, force: true });
    if (existsSync(join(ROOT, dir))) cpSync(join(ROOT, dir), join(args.outdir, dir), { recursive: true });
  }
  cpSync(join(ROOT, 'install.sh'), join(args.outdir, 'install.sh'));
  chmodSync(join(args.outdir, 'install.sh'), 0o755);

  const mb = (bytes.length / 1048576).toFixed(1);
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `built ${args.outfile} (${args.target}, ${mb} MiB, ${secs}s)\n  ${defines.NEXUS_BUILD_VERSION} commit ${defines.NEXUS_BUILD_COMMIT} built ${defines.NEXUS_BUILD_DATE}\n  sha256 ${sha}`,
  );
}

if (import.meta.main) {
  try {
    await build(parseBuildArgs(process.argv.slice(2)));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
