/** Requests per second of the local runner (`npm start`'s server) for verify and profile, with autocannon. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../local/dynamodb-local';
import { PROJECT_ROOT } from '../local/environment';
import { createLocalServer } from '../local/server';

export interface Throughput {
  readonly endpoint: string;
  readonly connections: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

const CONNECTIONS = 16;
const SECONDS = 8;

function autocannon(args: string[]): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/autocannon/autocannon.js'), '--json', ...args]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited with ${code}`))));
  });
}

export async function measureThroughput(access: string): Promise<Throughput[]> {
  const server = createLocalServer({ allowedOrigins: [] });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const quiet = console.log;
  console.log = () => {}; // the runner logs a line per request
  try {
    const base = `http://127.0.0.1:${port}`;
    const cases: [string, string[]][] = [
      ['verify', ['-m', 'POST', '-H', 'content-type=application/json', '-b', JSON.stringify({ token: access }), `${base}/api/token/verify/`]],
      ['profile', ['-H', `authorization=Bearer ${access}`, `${base}/account/profile`]],
    ];
    const results: Throughput[] = [];
    for (const [endpoint, args] of cases) {
      const report = await autocannon(['-c', String(CONNECTIONS), '-d', String(SECONDS), ...args]);
      results.push({
        endpoint,
        connections: CONNECTIONS,
        seconds: SECONDS,
        requestsPerSecond: report.requests.average,
        p50Ms: report.latency.p50,
        p99Ms: report.latency.p99,
        non2xx: report.non2xx,
      });
    }
    return results;
  } finally {
    console.log = quiet;
    server.closeAllConnections();
    server.close();
  }
}
