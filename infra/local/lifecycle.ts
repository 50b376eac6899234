/**
 * Ending with whatever started us. `npm start` runs as npm → sh → node, and a process manager, an IDE's stop
 * button or `concurrently` sends SIGTERM to npm alone, which does not reach the server; `kill -9` reaches
 * nobody. So the server stops on SIGINT, SIGTERM and SIGHUP, and also as soon as a process that started it is
 * gone: its ancestors up to npm (only its parent when npm did not start it), looked at every second.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface Ancestor {
  readonly pid: number;
  /** When it started (Linux, from /proc), so a recycled pid is not taken for it. */
  readonly started: string | undefined;
}

/** Linux: /proc/<pid>/stat; elsewhere (macOS): ps. */
function parentOf(pid: number): Ancestor | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return ppid > 1 ? { pid: ppid, started: startOf(ppid) } : undefined;
  } catch {
    const ps = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
    const ppid = Number(ps.stdout?.trim());
    return Number.isInteger(ppid) && ppid > 1 ? { pid: ppid, started: undefined } : undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).stdout ?? '';
  }
}

function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(ancestor: Ancestor): boolean {
  try {
    process.kill(ancestor.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return ancestor.started === undefined || startOf(ancestor.pid) === ancestor.started;
}

/** Calls `stop` once, on a stopping signal or when a process that started this one has gone. */
export function stopWithStarter(stop: (why: string) => void): void {
  let stopping = false;
  const once = (why: string) => {
    if (stopping) return;
    stopping = true;
    stop(why);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => once(signal));
  const chain: Ancestor[] = [];
  for (let current = parentOf(process.pid); current && chain.length < 8; current = parentOf(current.pid)) chain.push(current);
  const npm = chain.findIndex((ancestor) => /(^|[\s/])npm(-cli\.js)?(\s|$)/.test(commandOf(ancestor.pid)));
  const ancestors = npm >= 0 ? chain.slice(0, npm + 1) : chain.slice(0, 1);
  const watch = setInterval(() => {
    if (ancestors.some((ancestor) => !isAlive(ancestor))) once('the process that started it has gone');
  }, 1000);
  watch.unref();
}
