/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`). Synthesizes offline with no AWS credentials: account
 * and region come from the environment when the CDK CLI provides them, otherwise the stack is
 * environment-agnostic. cdk-nag's AwsSolutions checks run on every synthesis; an unacknowledged finding
 * fails it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuthStack } from './cdk/stack';

const app = new App();
const list = (value: unknown) => (typeof value === 'string' && value !== '' ? value.split(',').map((item) => item.trim()) : undefined);
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new AuthStack(app, app.node.tryGetContext('stackName') ?? 'ServerlessJwtAuth', {
  ...(account && region ? { env: { account, region } } : {}),
  description: 'simplejwt-compatible JWT authentication on Lambda, API Gateway and DynamoDB',
  auth: {
    corsAllowedOrigins: list(app.node.tryGetContext('corsAllowedOrigins')) ?? [],
    accounts: {
      ...(context('mailFrom') ? { mail: { from: context('mailFrom')!, identity: context('mailIdentity') ?? context('mailFrom')!.split('@').pop()! } } : {}),
      ...(context('registration') ? { registration: context('registration') as 'open' | 'closed' } : {}),
      ...(context('frontendUrl') ? { frontendUrl: context('frontendUrl')! } : {}),
      ...(context('siteName') ? { siteName: context('siteName')! } : {}),
    },
  },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
