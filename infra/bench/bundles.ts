/** Each function's bundle exactly as `cdk deploy` would upload it, synthesized offline, and its size. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { AuthStack } from '../cdk/stack';
import { ROUTES, type Route } from '../routes';

export type FunctionName = Route['name'];

/** Synthesizes the stack into `outdir` and returns the path of each function's index.mjs. */
export function buildDeployedBundles(outdir: string): Record<FunctionName, string> {
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new AuthStack(app, 'Bench');
  const resources = (app.synth().getStackByName('Bench').template as { Resources: Record<string, { Metadata?: Record<string, string> }> }).Resources;
  return Object.fromEntries(
    ROUTES.map((route) => {
      const id = stack.getLogicalId(stack.auth.functions[route.name].node.defaultChild as never);
      return [route.name, join(outdir, resources[id]!.Metadata!['aws:asset:path']!, 'index.mjs')];
    }),
  ) as Record<FunctionName, string>;
}

export interface BundleSize {
  readonly bytes: number;
  readonly gzipBytes: number;
}

export function bundleSize(path: string): BundleSize {
  const code = readFileSync(path);
  return { bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}
