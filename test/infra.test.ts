/**
 * The CDK app, proven offline: the synthesized template (routes, runtime, tables, secret, per-function IAM,
 * throttling, logs), cdk-nag's AwsSolutions checks, and the bundles Lambda will run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthStack } from '../infra/cdk/stack';
import { cdkApp } from './support/cdk';
import { findRoute, ROUTES } from '../infra/routes';
import type { LambdaHandler } from '../shared/http/endpoint';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { keyAttributes, TABLE_IDS, TABLES } from '../shared/tables';
import { servesRoute } from './support/checked-handlers';
import { invoke } from './support/invoke';
import { PROJECT_ROOT } from './support/processes';

const outdirs: string[] = [];
function newApp(): App {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-'));
  outdirs.push(outdir);
  return cdkApp({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
}
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

let app: App;
let stack: AuthStack;
let template: Template;
let json: { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string>; DeletionPolicy?: string }> };

beforeAll(() => {
  app = newApp();
  stack = new AuthStack(app, 'TestAuth', { auth: { corsAllowedOrigins: ['https://app.example.com'], throttle: { rateLimit: 25, burstLimit: 50 } } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Throws if cdk-nag reports anything not acknowledged.
  app.synth();
  template = Template.fromStack(stack);
  json = template.toJSON() as typeof json;
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
const functionResource = (name: (typeof ROUTES)[number]['name']) => json.Resources[logicalId(stack.auth.functions[name])]!;

describe('routes', () => {
  it('declares each path for ANY method with its {proxy+} twin, and protected paths also for OPTIONS without the authorizer', () => {
    const routes = Object.values(json.Resources).filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route');
    const paths = ROUTES.map((route) => route.path);
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(
      [
        ...paths.flatMap((path) => [`ANY ${path}`, `ANY ${path}/{proxy+}`]),
        ...ROUTES.filter((route) => route.protected).flatMap((route) => [`OPTIONS ${route.path}`, `OPTIONS ${route.path}/{proxy+}`]),
      ].sort(),
    );
    const authorization = Object.fromEntries(routes.map((route) => [route.Properties.RouteKey, route.Properties.AuthorizationType]));
    expect(authorization['ANY /account/whoami']).toBe('CUSTOM');
    expect(authorization['ANY /account/whoami/{proxy+}']).toBe('CUSTOM');
    expect(authorization['OPTIONS /account/whoami']).toBe('NONE');
    expect(authorization['OPTIONS /account/whoami/{proxy+}']).toBe('NONE');
    expect(authorization['ANY /api/token/{proxy+}']).toBe('NONE');
  });

  it('maps both spellings the clients send to those routes, since a route path may not end in "/"', () => {
    expect(() => new HttpApi(new Stack(newApp(), 'Probe'), 'Api').addRoutes({ path: '/api/token/', integration: undefined as never })).toThrow(/not end with a "\/"/);
    for (const route of ROUTES) {
      const path = route.path.replace('{id}', 'a'.repeat(32));
      expect(findRoute(path)).toMatchObject({ route, key: { path: route.path } });
      // The slash reaches the route's twin with nothing after it; more than the slash also reaches the twin,
      // whose handler answers 404 (test/api-gateway.test.ts).
      expect(findRoute(`${path}/`)).toMatchObject({ route, key: { path: `${route.path}/{proxy+}` }, pathParameters: { proxy: '' } });
      // (Unless another route takes that path: /account/sessions/extra is the {id} route.)
      if (!ROUTES.some((other) => other.path.startsWith(`${route.path}/`))) {
        expect(findRoute(`${path}/extra`)).toMatchObject({ route, pathParameters: { proxy: 'extra' } });
      }
    }
    expect(findRoute('/account/sessions/extra')).toMatchObject({ route: { name: 'end-session' }, pathParameters: { id: 'extra' } });
    expect(findRoute('/api/token/refresh/')?.route.name).toBe('refresh');
    expect(findRoute('/nowhere')).toBeUndefined();
  });

  it('sends each route to its own function with the payload 2.0 format', () => {
    template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' }, ROUTES.length);
  });
});

describe('functions', () => {
  it('run on the newest Node.js runtime, arm64, ESM with source maps', () => {
    for (const route of ROUTES) {
      const fn = functionResource(route.name);
      expect(fn.Properties).toMatchObject({ Runtime: Runtime.NODEJS_LATEST.name, Architectures: ['arm64'], Handler: 'index.handler' });
      expect(Runtime.NODEJS_LATEST.name).toBe('nodejs24.x');
      expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      const asset = join(app.outdir, fn.Metadata!['aws:asset:path']!);
      expect(existsSync(join(asset, 'index.mjs'))).toBe(true);
      expect(existsSync(join(asset, 'index.mjs.map'))).toBe(true);
    }
  });

  it('answer before API Gateway gives up (30 s)', () => {
    for (const route of ROUTES) expect(functionResource(route.name).Properties.Timeout).toBe(25);
  });

  it('refuse at synth a region where the secrets extension layer has no known ARN', () => {
    expect(() => new AuthStack(newApp(), 'Nowhere', { env: { account: '123456789012', region: 'xx-nowhere-1' } })).toThrow(
      /no known ARN in xx-nowhere-1: pass paramsAndSecretsLayer/,
    );
    expect(() => new AuthStack(newApp(), 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } })).not.toThrow();
  });

  it('give the password hash a full vCPU and the others less', () => {
    for (const name of ['obtain', 'password', 'users-create', 'reset-password-confirm', 'me', 'set-password'] as const) expect(functionResource(name).Properties.MemorySize).toBe(1769);
    for (const name of ['verify', 'refresh', 'activation', 'reset-password', 'resend-activation'] as const) expect(functionResource(name).Properties.MemorySize).toBe(512);
  });

  it('bundle the SDK only where it is used: none in the key documents and the OpenAPI document; in verify only for refresh tokens', () => {
    const bundle = (name: (typeof ROUTES)[number]['name']) =>
      readFileSync(join(app.outdir, functionResource(name).Metadata!['aws:asset:path']!, 'index.mjs'), 'utf8');
    // DynamoDB's JSON protocol target prefix appears in any bundle that carries the DynamoDB client.
    expect(bundle('profile')).toContain('DynamoDB_20120810');
    for (const name of ['jwks', 'openid-configuration', 'schema'] as const) {
      expect(bundle(name)).not.toContain('DynamoDB_20120810');
      expect(Buffer.byteLength(bundle(name))).toBeLessThan(60 * 1024);
    }
    // A refresh token's read sits in a chunk of its own, which verify's entry loads only through a dynamic
    // import (budgets.test.ts shows no static path leads there), so an access token never compiles the SDK.
    const verifyAsset = join(app.outdir, functionResource('verify').Metadata!['aws:asset:path']!);
    expect(bundle('verify')).not.toContain('DynamoDB_20120810');
    expect(Buffer.byteLength(bundle('verify'))).toBeLessThan(60 * 1024);
    const chunks = readdirSync(verifyAsset).filter((file) => /^chunk-.*\.mjs$/.test(file));
    expect(chunks.some((file) => readFileSync(join(verifyAsset, file), 'utf8').includes('DynamoDB_20120810'))).toBe(true);
  });

  it('run as bundled: the verify and profile bundles answer real requests', async () => {
    const load = async (name: 'verify' | 'profile') =>
      servesRoute(
        ((await import(pathToFileURL(join(app.outdir, functionResource(name).Metadata!['aws:asset:path']!, 'index.mjs')).href)) as { handler: LambdaHandler }).handler,
        name,
      );
    const { access, refresh } = await issueTokenPair({ user_id: 'no-such-user' });
    expect(await invoke(await load('verify'), { body: { token: access } })).toMatchObject({ status: 200, body: {} });
    // A refresh token loads the chunk with the DynamoDB read: a user that does not exist cannot refresh.
    expect(await invoke(await load('verify'), { body: { token: refresh } })).toMatchObject({ status: 400, body: { non_field_errors: ['Token is blacklisted'] } });
    expect(await invoke(await load('profile'), { method: 'GET', headers: { authorization: `Bearer ${access}` } })).toMatchObject({
      status: 401,
      body: { detail: 'User not found', code: 'user_not_found' },
    });
  });

  it('read the signing key from Secrets Manager: generated at deploy, never in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
      SecretString: Match.absent(),
    });
    const secretId = logicalId(stack.auth.signingKey);
    for (const route of ROUTES) {
      const variables = (functionResource(route.name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.SIGNING_KEY_SECRET_ARN).toEqual({ Ref: secretId });
      expect(variables.SIGNING_KEY).toBeUndefined();
      expect(functionResource(route.name).Properties.Layers).toEqual([{ 'Fn::FindInMap': [expect.any(String), { Ref: 'AWS::Region' }, '1x0x103xarm64'] }]);
    }
  });
});

describe('least privilege', () => {
  // Each role's statements are held against the calls its function makes in test/iam.test.ts.
  it('no role carries an AWS managed policy', () => {
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });
  it('lets only the functions that mail send through SES, as the configured identity; without mail, none, and users start active', () => {
    const mailing = new AuthStack(newApp(), 'Mailing', { auth: { accounts: { mail: { from: 'noreply@mail.example.com', identity: 'mail.example.com' } } } });
    const mailingJson = Template.fromStack(mailing).toJSON() as typeof json;
    const statementsOf = (target: AuthStack, resources: typeof json.Resources, name: (typeof ROUTES)[number]['name']) => {
      const role = target.getLogicalId(target.auth.functions[name].role!.node.defaultChild as never);
      return Object.values(resources)
        .filter((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: role }]))
        .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
    };
    const sending = ROUTES.map((route) => route.name).filter((name) =>
      statementsOf(mailing, mailingJson.Resources, name).some((statement) => [statement.Action].flat().includes('ses:SendEmail')),
    );
    expect(sending.sort()).toEqual(['me', 'resend-activation', 'reset-password', 'users-create']);
    for (const name of sending) {
      const ses = statementsOf(mailing, mailingJson.Resources, name).find((statement) => [statement.Action].flat().includes('ses:SendEmail'))!;
      expect(JSON.stringify(ses.Resource)).toContain(':identity/mail.example.com');
      expect(ses.Action).toBe('ses:SendEmail');
    }
    expect(JSON.stringify(mailingJson)).toContain('"SEND_ACTIVATION_EMAIL":"true"');

    expect(JSON.stringify(json)).not.toContain('ses:');
    expect(JSON.stringify(json)).toContain('"SEND_ACTIVATION_EMAIL":"false"');
    expect(() => new AuthStack(newApp(), 'NoMail', { auth: { accounts: { sendActivationEmail: true } } })).toThrow('accounts.sendActivationEmail needs accounts.mail');
  });
});

describe('protecting routes', () => {
  const routeByKey = (key: string) => Object.values(json.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === key)!;

  it("keeps the service's own routes public and puts the example route behind the Lambda authorizer", () => {
    const authorizer = Object.entries(json.Resources).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Authorizer')!;
    expect(authorizer[1].Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 60,
      IdentitySource: ['$request.header.Authorization'],
    });
    expect(routeByKey('ANY /account/whoami').Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizer[0] } });
    for (const route of ROUTES.filter((r) => !r.protected)) expect(routeByKey(`ANY ${route.path}`).Properties.AuthorizationType).toBe('NONE');
  });

  it('makes the authorizer the default for routes users add, as DEFAULT_AUTHENTICATION_CLASSES does', () => {
    const other = new AuthStack(newApp(), 'WithMyRoute');
    other.auth.api.addRoutes({ path: '/orders', integration: new HttpLambdaIntegration('Orders', other.auth.functions.whoami) });
    const routes = Template.fromStack(other).findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: 'ANY /orders' } });
    expect(Object.values(routes)[0]!.Properties).toMatchObject({ AuthorizationType: 'CUSTOM' });
  });

  it("with authorizer type 'jwt', uses API Gateway's JWT authorizer on this API's discovery document", () => {
    const jwtStack = new AuthStack(newApp(), 'WithJwt', { auth: { authorizer: { type: 'jwt', audience: 'orders-api' } } });
    const jwtTemplate = Template.fromStack(jwtStack);
    const apiRef = { 'Fn::GetAtt': [jwtStack.getLogicalId(jwtStack.auth.api.node.defaultChild as never), 'ApiEndpoint'] };
    jwtTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: apiRef, Audience: ['orders-api'] },
      IdentitySource: ['$request.header.Authorization'],
    });
    // Only access tokens carry the scope: the JWT authorizer refuses refresh tokens.
    jwtTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /account/whoami', AuthorizationType: 'JWT', AuthorizationScopes: ['access'] });
    // CloudFormation refuses scopes on a route without a JWT or Cognito authorizer.
    for (const route of Object.values(jwtTemplate.findResources('AWS::ApiGatewayV2::Route', { Properties: { AuthorizationType: 'NONE' } }))) {
      expect(route.Properties.AuthorizationScopes ?? []).toEqual([]);
    }
    const fn = jwtTemplate.toJSON().Resources[jwtStack.getLogicalId(jwtStack.auth.functions.obtain.node.defaultChild as never)];
    expect(fn.Properties.Environment.Variables).toMatchObject({ ISSUER: apiRef, AUDIENCE: 'orders-api' });
    // Nothing would call the Lambda authorizer's function: it is not deployed.
    expect(jwtStack.auth.authorizerFunction).toBeUndefined();
    expect(Object.keys(jwtTemplate.findResources('AWS::Lambda::Function')).filter((id) => id.includes('authorizer'))).toEqual([]);
  });
});

describe('tables', () => {
  it('use the shared key schema, on-demand billing and point-in-time recovery', () => {
    for (const table of TABLE_IDS) {
      const schema = TABLES[table];
      expect(json.Resources[logicalId(stack.auth.tables[table])]!.Properties).toMatchObject({
        KeySchema: keyAttributes(schema).map((AttributeName, index) => ({ AttributeName, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      });
    }
  });
  it('expire blacklist, session and login-throttle items through TTL; users have no TTL', () => {
    for (const table of ['blacklist', 'sessions', 'loginThrottle'] as const) {
      expect(json.Resources[logicalId(stack.auth.tables[table])]!.Properties.TimeToLiveSpecification).toEqual({
        AttributeName: TABLES[table].timeToLiveAttribute,
        Enabled: true,
      });
    }
    expect(json.Resources[logicalId(stack.auth.tables.users)]!.Properties.TimeToLiveSpecification).toBeUndefined();
  });
  it('keep the users table when the stack is deleted, unless told otherwise', () => {
    expect(json.Resources[logicalId(stack.auth.tables.users)]!.DeletionPolicy).toBe('Retain');
    expect(json.Resources[logicalId(stack.auth.tables.blacklist)]!.DeletionPolicy).toBe('Delete');
    const other = new AuthStack(newApp(), 'Disposable', { auth: { usersTableRemovalPolicy: RemovalPolicy.DESTROY } });
    const users = Template.fromStack(other).toJSON().Resources[other.getLogicalId(other.auth.tables.users.node.defaultChild as never)];
    expect(users.DeletionPolicy).toBe('Delete');
  });
});

describe('API stage', () => {
  it('throttles with the given rate and burst, and logs access to a log group kept a month', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    expect(JSON.stringify(template.findResources('AWS::ApiGatewayV2::Stage'))).not.toMatch(/authorization/i);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    // One per route, the authorizer's, and the access logs.
    template.resourceCountIs('AWS::Logs::LogGroup', ROUTES.length + 2);
  });
  it('answers CORS preflights for the configured origins only', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com'],
        AllowHeaders: ['authorization', 'content-type', 'x-csrftoken'],
        AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        AllowCredentials: Match.absent(),
      },
    });
    const plain = new AuthStack(newApp(), 'NoCors');
    Template.fromStack(plain).hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
  });
  it('in cookie mode, allow credentialed CORS for the named origins, expose the CSRF header, and refuse "*" at synth', () => {
    const cookieStack = new AuthStack(newApp(), 'Cookies', { auth: { corsAllowedOrigins: ['https://app.example.com'], authCookie: { sameSite: 'None' } } });
    const cookieTemplate = Template.fromStack(cookieStack);
    cookieTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://app.example.com'], AllowCredentials: true, ExposeHeaders: ['x-csrftoken'] },
    });
    const obtain = cookieTemplate.toJSON().Resources[cookieStack.getLogicalId(cookieStack.auth.functions.obtain.node.defaultChild as never)];
    expect(obtain.Properties.Environment.Variables).toMatchObject({ AUTH_COOKIE: 'true', JWT_AUTH_SAMESITE: 'None', AUTH_COOKIE_BODY: 'false' });
    expect(() => new AuthStack(newApp(), 'AnyOrigin', { auth: { corsAllowedOrigins: ['*'], authCookie: {} } })).toThrow(/not \*, when AUTH_COOKIE is on/);
  });
  it('outputs the API URL and what manage and key rotation need', () => {
    template.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: logicalId(stack.auth.api) }])] } });
    for (const name of ['UsersTableName', 'BlacklistTableName', 'SessionsTableName', 'LoginThrottleTableName', 'SigningKeySecretArn']) {
      template.hasOutput(name, {});
    }
  });
});

describe('cdk-nag', () => {
  it('fails synthesis on an unacknowledged AwsSolutions finding (so the clean synth above means something)', () => {
    const probeApp = newApp();
    const probe = new Stack(probeApp, 'Probe');
    new Table(probe, 'NoRecovery', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    Validations.of(probeApp).addPlugins(new AwsSolutionsChecks(probeApp));
    expect(() => probeApp.synth()).toThrow();
  });
});

describe('npx cdk synth', () => {
  it('writes a template offline, without AWS credentials or Docker', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-cli-'));
    outdirs.push(outdir);
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete env[name];
    const context = ['-c', 'mailFrom=noreply@mail.example.com', '-c', 'registration=open', '-c', 'frontendUrl=https://app.example.com'];
    const result = spawnSync('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', outdir, ...context], { cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: 180_000 });
    expect(result.status, result.stderr).toBe(0);
    const synthesized = JSON.parse(readFileSync(join(outdir, 'ServerlessJwtAuth.template.json'), 'utf8'));
    expect(Object.keys(synthesized.Outputs).sort()).toEqual([
      'ApiUrl',
      'BlacklistTableName',
      'LoginThrottleTableName',
      'SessionsTableName',
      'SigningKeySecretArn',
      'UsersTableName',
    ]);
    // The context reaches the functions: registration open, mail from that address's domain, links to the app.
    const text = JSON.stringify(synthesized);
    for (const expected of ['"REGISTRATION":"open"', '"MAIL_FROM":"noreply@mail.example.com"', ':identity/mail.example.com', '"FRONTEND_URL":"https://app.example.com"', '"SEND_ACTIVATION_EMAIL":"true"']) {
      expect(text).toContain(expected);
    }
  }, 200_000);
});
