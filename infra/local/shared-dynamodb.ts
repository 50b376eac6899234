/**
 * One DynamoDB Local per data folder, shared by every `npm start` and `npm run manage` that uses the
 * folder. Each process registers itself while it uses the database; the last one to leave stops it, so
 * `manage` finishing never pulls the database from under a running server, and a server stopping never
 * pulls it from under a `manage` waiting at a prompt. A lock file serialises start-up and the last-leaver
 * check, so two processes starting together never open one database file twice.
 *
 *   <data>/dynamodb-local.json   { endpoint, pid } of the running instance
 *   <data>/dynamodb-local.lock   held while starting, or while deciding to stop
 *   <data>/dynamodb-local.users/ one empty file per process using it, named by pid
 *   <data>/dynamodb-local.log    its output
 *
 * A process killed with -9 never leaves, so a watchdog started beside DynamoDB Local (dynamodb-watchdog.ts)
 * stops it once no registered process is alive, within seconds, instead of leaving it listening until the
 * next start adopts it.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LocalSetupError, localClient, startDynamoDbLocal } from './dynamodb-local';

export interface Lease {
  readonly endpoint: string;
  /** Synchronous, so it can run in an 'exit' handler; safe to call more than once. */
  release(): void;
}

interface RuntimeRecord {
  readonly endpoint: string;
  readonly pid: number;
}

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LOCK_WAIT_MS = 120_000;
const STALE_LOCK_MS = 120_000;

type Paths = ReturnType<typeof pathsOf>;

const pathsOf = (dataDir: string) => ({
  record: join(dataDir, 'dynamodb-local.json'),
  lock: join(dataDir, 'dynamodb-local.lock'),
  users: join(dataDir, 'dynamodb-local.users'),
  log: join(dataDir, 'dynamodb-local.log'),
  db: join(dataDir, 'dynamodb'),
});

/** Stops the database when no registered process is alive any more (under the lock, as every start-up decides). */
function stopIfUnused(paths: Paths): void {
  withLockSync(paths.lock, () => {
    if (liveUsers(paths.users).length > 0) return;
    const record = readRecord(paths.record);
    if (record && isAlive(record.pid) && isDynamoDbLocal(record.pid)) process.kill(record.pid, 'SIGTERM');
    rmSync(paths.record, { force: true });
  });
}

/** The watchdog's loop: until the database it watches has stopped. */
export function watchOver(dataDir: string, pid: number): void {
  const paths = pathsOf(dataDir);
  const timer = setInterval(() => {
    if (!isAlive(pid)) return clearInterval(timer);
    if (liveUsers(paths.users).length === 0) stopIfUnused(paths);
  }, 2000);
}

export async function leaseDynamoDbLocal(dataDir: string): Promise<Lease> {
  const paths = pathsOf(dataDir);
  mkdirSync(paths.users, { recursive: true, mode: 0o700 });
  mkdirSync(paths.db, { recursive: true, mode: 0o700 });
  const registration = join(paths.users, String(process.pid));

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    rmSync(registration, { force: true });
    stopIfUnused(paths);
  };

  await acquireLock(paths.lock);
  try {
    writeFileSync(registration, '');
    const existing = readRecord(paths.record);
    if (existing && isAlive(existing.pid) && (await answers(existing.endpoint))) {
      return { endpoint: existing.endpoint, release };
    }
    const running = await startDynamoDbLocal({ dbPath: paths.db, logFile: paths.log });
    writeFileSync(paths.record, JSON.stringify({ endpoint: running.endpoint, pid: running.pid } satisfies RuntimeRecord));
    startWatchdog(dataDir, running.pid);
    return { endpoint: running.endpoint, release };
  } catch (error) {
    released = true;
    rmSync(registration, { force: true });
    throw error;
  } finally {
    rmSync(paths.lock, { force: true });
  }
}

function startWatchdog(dataDir: string, pid: number): void {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'dynamodb-watchdog.ts');
  spawn(process.execPath, ['--import', 'tsx', script, dataDir, String(pid)], { cwd: PROJECT_ROOT, detached: true, stdio: 'ignore' }).unref();
}

async function answers(endpoint: string): Promise<boolean> {
  const client = localClient(endpoint);
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

function liveUsers(directory: string): number[] {
  const live: number[] = [];
  for (const name of readdirSync(directory)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && isAlive(pid)) live.push(pid);
    else rmSync(join(directory, name), { force: true });
  }
  return live;
}

function tryLock(lock: string): boolean {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A lock left by a process that died, or held far longer than a start-up takes, is stale.
  try {
    const holder = Number(readFileSync(lock, 'utf8'));
    if (!isAlive(holder) || Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
  } catch {
    // it went away meanwhile
  }
  return false;
}

async function acquireLock(lock: string): Promise<void> {
  for (const started = Date.now(); !tryLock(lock); ) {
    if (Date.now() - started > LOCK_WAIT_MS) throw new LocalSetupError(`Timed out waiting for ${lock}; remove it if no other process is starting.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function withLockSync(lock: string, action: () => void): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (const started = Date.now(); !tryLock(lock); ) {
    // Leaving without the lock is safe: the process still using the database stops it later.
    if (Date.now() - started > 5000) return;
    Atomics.wait(sleeper, 0, 0, 50);
  }
  try {
    action();
  } finally {
    rmSync(lock, { force: true });
  }
}

function readRecord(file: string): RuntimeRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as Partial<RuntimeRecord>;
    return typeof record.endpoint === 'string' && typeof record.pid === 'number' ? (record as RuntimeRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Guards against a recycled pid where /proc can tell (Linux); elsewhere the record is trusted. */
function isDynamoDbLocal(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal.jar');
  } catch {
    return process.platform !== 'linux';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
