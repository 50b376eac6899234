/** Runs the project's own commands (npm start, npm run manage) as a user would, from the project root. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run -s <script> -- args`, feeding `input` to standard input. */
export function runNpm(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<Finished> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', ['run', '-s', script, '--', ...args], { cwd: options.cwd ?? PROJECT_ROOT, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface Server {
  readonly url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** `npm start` on a free port; resolves once it says it is serving. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const child: ChildProcess = spawn('npm', ['start'], { cwd: PROJECT_ROOT, env, detached: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not serve within 90 s:\n${output}`)), 90_000);
    const check = () => {
      const match = /Serving the auth API on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    async stop() {
      // npm, tsx and node form one process group; SIGTERM lets the runner stop its DynamoDB Local.
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      return exited;
    },
  };
}
