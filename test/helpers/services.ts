// PostgreSQL and Redis for the tests, found without help: NEXUS_TEST_DATABASE_URL / NEXUS_TEST_REDIS_URL
// when set, else the usual local addresses when they answer, else throwaway servers started here from
// the installed binaries (free ports, a temporary directory, stopped when the run ends).
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServiceUrls {
  readonly databaseUrl: string;
  readonly redisUrl: string;
}

export const USUAL: ServiceUrls = { databaseUrl: 'postgres://postgres@127.0.0.1:5432/test', redisUrl: 'redis://127.0.0.1:6379' };

/** A server this run started; stop() ends it and removes its directory. */
export interface Throwaway {
  readonly kind: 'postgres' | 'redis';
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
  /** For process exit, where nothing can be awaited. */
  stopNow(): void;
}

/** A server binary is not installed: the message is one line naming the Debian package. */
export class MissingBinary extends Error {}

export interface FindOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly usual?: ServiceUrls;
  /** Where to look for initdb/postgres besides PATH (Debian: /usr/lib/postgresql/<version>/bin). */
  readonly pgRoot?: string;
  readonly path?: string;
}

/** n distinct free ports (all held open until each is known, so none repeats). */
export function freePorts(n: number): number[] {
  const probes = Array.from({ length: n }, () => Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } }));
  const ports = probes.map((p) => p.port);
  for (const p of probes) p.stop(true);
  return ports;
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function redisAnswers(url: string): Promise<boolean> {
  const { default: Redis } = await import('ioredis');
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function which(name: string, path: string | undefined): string | undefined {
  return Bun.which(name, path === undefined ? {} : { PATH: path }) ?? undefined;
}

/** The directory holding initdb and postgres: PATH first, then the newest Debian versioned directory. */
function postgresBinDir(opts: FindOptions): string {
  const initdb = which('initdb', opts.path);
  if (initdb && which('postgres', opts.path)) return join(initdb, '..');
  const root = opts.pgRoot ?? '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new MissingBinary('PostgreSQL server binaries (initdb, postgres) not found: apt-get install postgresql');
  return join(root, versions[0]!, 'bin');
}

// PostgreSQL refuses to run as root: as root, run it as the postgres user (setpriv execs, so the
// pid we hold is the server's own)
function asPostgresUser(): { wrap: (cmd: string[]) => string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { wrap: (cmd) => cmd };
  const id = (flag: string) => Bun.spawnSync(['id', flag, 'postgres'], { stdout: 'pipe', stderr: 'ignore' });
  const [u, g] = [id('-u'), id('-g')];
  if (u.exitCode !== 0) throw new MissingBinary('running as root and there is no postgres user: apt-get install postgresql');
  const uid = Number(u.stdout.toString());
  const gid = Number(g.stdout.toString());
  return { wrap: (cmd) => ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', ...cmd], uid, gid };
}

async function waitUntil(ok: () => Promise<boolean>, proc: ReturnType<typeof Bun.spawn>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await ok())) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with code ${proc.exitCode} before it answered`);
    if (Date.now() > deadline) throw new Error(`${what} did not answer within 30s`);
    await Bun.sleep(50);
  }
}

function throwaway(kind: Throwaway['kind'], url: string, dir: string, proc: ReturnType<typeof Bun.spawn>, signal: NodeJS.Signals) {
  let stopped = false;
  return {
    kind,
    url,
    dir,
    stopNow() {
      if (stopped) return;
      stopped = true;
      proc.kill(signal);
      rmSync(dir, { recursive: true, force: true });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      proc.kill(signal);
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  } satisfies Throwaway;
}

export async function startPostgres(opts: FindOptions = {}): Promise<Throwaway> {
  const bin = postgresBinDir(opts);
  const user = asPostgresUser();
  if (user.uid !== undefined && !which('setpriv', opts.path)) throw new MissingBinary('setpriv not found: apt-get install util-linux');
  const dir = mkdtempSync(join(tmpdir(), 'nexus-test-pg-'));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  const data = join(dir, 'data');
  const init = Bun.spawnSync(
    user.wrap([join(bin, 'initdb'), '-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']),
    { cwd: dir, stdout: 'pipe', stderr: 'pipe' },
  );
  if (init.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr.toString().trim().split('\n').slice(-3).join(' ')}`);
  }
  const [port] = freePorts(1) as [number];
  const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=300'];
  const proc = Bun.spawn(
    user.wrap([join(bin, 'postgres'), '-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, ...settings.flatMap((s) => ['-c', s])]),
    { cwd: dir, stdout: 'ignore', stderr: 'ignore' },
  );
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // SIGQUIT: immediate shutdown, nothing here is worth keeping
  const server = throwaway('postgres', `postgres://postgres@127.0.0.1:${port}/test`, dir, proc, 'SIGQUIT');
  try {
    await waitUntil(() => postgresAnswers(admin), proc, `PostgreSQL on port ${port}`);
    const { default: postgres } = await import('postgres');
    const sql = postgres(admin, { max: 1, onnotice: () => {} });
    await sql`CREATE DATABASE test`;
    await sql.end();
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

export async function startRedis(opts: FindOptions = {}): Promise<Throwaway> {
  const bin = which('redis-server', opts.path);
  if (!bin) throw new MissingBinary('redis-server not found: apt-get install redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'nexus-test-redis-'));
  const [port] = freePorts(1) as [number];
  const proc = Bun.spawn(
    [bin, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'],
    { cwd: dir, stdout: 'ignore', stderr: 'ignore' },
  );
  const server = throwaway('redis', `redis://127.0.0.1:${port}`, dir, proc, 'SIGTERM');
  try {
    await waitUntil(() => redisAnswers(server.url), proc, `redis-server on port ${port}`);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

/** Resolves both services, starting what is missing; `started` lists what the caller must stop. */
export async function findServices(opts: FindOptions = {}): Promise<ServiceUrls & { started: Throwaway[] }> {
  const env = opts.env ?? {};
  const usual = opts.usual ?? USUAL;
  const started: Throwaway[] = [];
  const pick = async (
    name: 'NEXUS_TEST_DATABASE_URL' | 'NEXUS_TEST_REDIS_URL',
    fallback: string,
    answers: (url: string) => Promise<boolean>,
    start: (o: FindOptions) => Promise<Throwaway>,
  ): Promise<string> => {
    const given = env[name];
    if (given) {
      if (!(await answers(given))) throw new Error(`${name}=${given.replace(/\/\/[^@/]*@/, '//***@')} does not answer`);
      return given;
    }
    if (await answers(fallback)) return fallback;
    const server = await start(opts);
    started.push(server);
    return server.url;
  };
  const [db, redis] = await Promise.allSettled([
    pick('NEXUS_TEST_DATABASE_URL', usual.databaseUrl, postgresAnswers, startPostgres),
    pick('NEXUS_TEST_REDIS_URL', usual.redisUrl, redisAnswers, startRedis),
  ]);
  if (db.status === 'rejected' || redis.status === 'rejected') {
    await Promise.all(started.map((s) => s.stop()));
    throw db.status === 'rejected' ? db.reason : (redis as PromiseRejectedResult).reason;
  }
  return { databaseUrl: db.value, redisUrl: redis.value, started };
}

/** Servers this test run started (test/preload.ts stops them when the run ends). */
export const RUN_STARTED: Throwaway[] = [];

export async function stopRunServices(): Promise<void> {
  await Promise.all(RUN_STARTED.splice(0).map((s) => s.stop()));
}

export function stopRunServicesNow(): void {
  for (const s of RUN_STARTED.splice(0)) s.stopNow();
}
