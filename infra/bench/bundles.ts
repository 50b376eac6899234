/**
 * `npm run bench:bundles`: the size of each function's bundle exactly as `cdk deploy` would upload it
 * (synthesized here, offline), as a Markdown table. `-- --write` also replaces the table in README.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { AuthStack } from '../cdk/stack';
import { PROJECT_ROOT } from '../local/environment';
import { ROUTES } from '../routes';

const START = '<!-- bundle-sizes:start -->';
const END = '<!-- bundle-sizes:end -->';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function measure(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'bundles-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new AuthStack(app, 'Bench');
    const resources = (app.synth().getStackByName('Bench').template as { Resources: Record<string, { Metadata?: Record<string, string> }> }).Resources;
    const rows = ROUTES.map((route) => {
      const id = stack.getLogicalId(stack.auth.functions[route.name].node.defaultChild as never);
      const code = readFileSync(join(outdir, resources[id]!.Metadata!['aws:asset:path']!, 'index.mjs'));
      return `| ${route.name} | ${kib(code.byteLength)} | ${kib(gzipSync(code, { level: 9 }).byteLength)} |`;
    });
    return [
      '| function | bundle (minified ESM) | gzip -9 (about the zip Lambda loads) |',
      '|---|---|---|',
      ...rows,
      '',
      `Measured by \`npm run bench:bundles\` on ${new Date().toISOString().slice(0, 10)}; source maps are uploaded beside each bundle and not counted.`,
    ].join('\n');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const table = measure();
console.log(table);
if (process.argv.includes('--write')) {
  const readmePath = join(PROJECT_ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`README.md has no ${START} ... ${END} section`);
  writeFileSync(readmePath, `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`);
  console.log('README.md updated.');
}
