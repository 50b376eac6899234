/** A CDK app with the context `cdk deploy` gives the stack (cdk.json's feature flags), so tests synthesize what deploys. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { PROJECT_ROOT } from './processes';

const deployContext = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export function cdkApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...deployContext, ...props.context } });
}
