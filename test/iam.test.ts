/**
 * IAM proven by calls. DynamoDB Local has no IAM, so a missing grant would only show in AWS, as an
 * AccessDenied answered 500. Here every function runs in its own module graph (as in its own Lambda
 * container), reading its secrets through a stand-in for the Parameters and Secrets extension; every AWS
 * call it makes is recorded (DynamoDB by SDK middleware, item-level actions inside transactions and batches
 * included; Secrets Manager by the extension request), while scenarios walk each function's paths. The
 * recorded calls must equal the statements of the function's role in the synthesized template, both ways:
 * every call made is granted on that resource, and every grant is used.
 */
import { pbkdf2Sync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthStack } from '../infra/cdk/stack';
import { cdkApp } from './support/cdk';
import { ROUTES } from '../infra/routes';
import type { LambdaHandler } from '../shared/http/endpoint';
import { TABLE_IDS, type TableId } from '../shared/tables';
import { later } from './support/clock';
import { servesRoute } from './support/checked-handlers';
import { bearer, invoke } from './support/invoke';
import { claimsOf } from './support/tokens';
import { TEST_TABLES } from './support/tables';

type FunctionName = (typeof ROUTES)[number]['name'] | 'authorizer';
const SIGNING_KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:SigningKey-abcdef';
const SECRET_KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:SecretKey-ghijkl';
const SECRET_VALUE = `iam-${'s'.repeat(60)}`;

const recorded = new Map<FunctionName, Set<string>>();
let running: FunctionName | undefined;
const record = (call: string) => {
  if (!running) return;
  if (!recorded.has(running)) recorded.set(running, new Set());
  recorded.get(running)!.add(call);
};
const tableIdOf = (name: string) => TABLE_IDS.find((id) => TEST_TABLES[id] === name) ?? `unknown table ${name}`;
const ITEM_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };

/** The AWS calls a DynamoDB command makes, as IAM authorises them: per item action for transactions, per table for batches. */
function callsOf(commandName: string, input: Record<string, unknown>): string[] {
  const action = commandName.replace(/Command$/, '');
  if (action === 'TransactWriteItems') {
    return (input.TransactItems as Record<string, { TableName: string }>[]).flatMap((item) =>
      Object.entries(item).map(([kind, operation]) => `dynamodb:${ITEM_ACTIONS[kind]} ${tableIdOf(operation.TableName)}`),
    );
  }
  if (action === 'BatchGetItem') return Object.keys(input.RequestItems as object).map((table) => `dynamodb:BatchGetItem ${tableIdOf(table)}`);
  const index = typeof input.IndexName === 'string' ? `/index/${input.IndexName}` : '';
  return [`dynamodb:${action} ${tableIdOf(input.TableName as string)}${index}`];
}

const MAIL_IDENTITY = 'example.com';

/** A function as its own container: fresh modules, its own DynamoDB client, recorded. */
async function container(name: FunctionName, env: Record<string, string> = {}): Promise<LambdaHandler & { as: FunctionName }> {
  for (const [variable, value] of Object.entries(env)) vi.stubEnv(variable, value);
  vi.resetModules();
  const [module, { dynamo }, { ses }] = await Promise.all([import(`../functions/${name}.ts`), import('../shared/store/dynamodb'), import('../shared/mail/ses')]);
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      for (const call of callsOf(String(context.commandName), args.input as Record<string, unknown>)) record(call);
      return next(args);
    },
    { step: 'initialize', name: 'recordAwsCalls' },
  );
  // SES cannot be reached from here: the call is recorded with the identity it sends as, and answered.
  ses().middlewareStack.add(
    () => async (args) => {
      const arn = String((args.input as { FromEmailAddressIdentityArn?: string }).FromEmailAddressIdentityArn);
      record(`ses:SendEmail ${arn.endsWith(`identity/${MAIL_IDENTITY}`) ? 'sesIdentity' : arn}`);
      const input = args.input as { Destination: { ToAddresses: string[] }; Content: { Simple: { Body: { Text: { Data: string } } } } };
      const link = /\/([^/\s]+)\/([^/\s]+)\s*$/m.exec(input.Content.Simple.Body.Text.Data.split('\n').find((line) => line.startsWith('http')) ?? '');
      if (link) sentLinks.set(input.Destination.ToAddresses[0]!, { uid: link[1]!, token: link[2]! });
      if (input.Destination.ToAddresses[0]!.endsWith('@refused.example.com')) {
        throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      }
      return { output: { MessageId: 'recorded', $metadata: {} } } as never;
    },
    { step: 'initialize', name: 'recordSes' },
  );
  const handler = (module as { handler: LambdaHandler }).handler;
  const run = (async (event) => {
    running = name;
    try {
      return await handler(event);
    } finally {
      running = undefined;
    }
  }) as LambdaHandler & { as: FunctionName };
  run.as = name;
  // invoke() checks answers against the OpenAPI document by the route the handler serves.
  return name === 'authorizer' ? run : servesRoute(run, name);
}

let extension: Server;
beforeAll(async () => {
  // The Parameters and Secrets extension's protocol, answering both secrets with one value.
  extension = createServer((request, response) => {
    const arn = decodeURIComponent(/secretId=([^&]+)/.exec(request.url ?? '')?.[1] ?? '');
    record(`secretsmanager:GetSecretValue ${arn === SIGNING_KEY_ARN ? 'signingKey' : arn === SECRET_KEY_ARN ? 'secretKey' : arn}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ SecretString: SECRET_VALUE }));
  });
  const port = await new Promise<number>((resolve) => extension.listen(0, '127.0.0.1', () => resolve((extension.address() as { port: number }).port)));
  // As the stack configures the functions: secrets through the extension, nothing else.
  vi.stubEnv('SIGNING_KEY', '');
  vi.stubEnv('SECRET_KEY', '');
  vi.stubEnv('SIGNING_KEY_SECRET_ARN', SIGNING_KEY_ARN);
  vi.stubEnv('SECRET_KEY_SECRET_ARN', SECRET_KEY_ARN);
  vi.stubEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', String(port));
  vi.stubEnv('AWS_SESSION_TOKEN', 'session-token');
  vi.stubEnv('LOGIN_FAILURE_LIMIT', '2');
  // Mail through SES (recorded), as in the cloud; anyone may sign up.
  vi.stubEnv('MAIL_DIR', '');
  vi.stubEnv('MAIL_FROM', 'noreply@example.com');
  vi.stubEnv('SES_IDENTITY_ARN', `arn:aws:ses:us-east-1:123456789012:identity/${MAIL_IDENTITY}`);
  vi.stubEnv('REGISTRATION', 'open');
  vi.stubEnv('MAIL_REQUEST_LIMIT', '1');
});
afterAll(() => {
  extension.close();
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** A user made through the store (not recorded: no function is running). */
async function newUser(passwordHash?: string) {
  const { createUser } = await import('../shared/users/users');
  const { hashPassword } = await import('../shared/users/passwords');
  const password = `pw-${randomUUID()}`;
  const user = await createUser({
    username: `iam-${randomUUID().slice(0, 8)}`,
    email: 'iam@example.com',
    firstName: '',
    lastName: '',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    passwordHash: passwordHash ?? (await hashPassword(password)),
  });
  return { user, password };
}

/** Ends the throttle window of a username now, as if its time had run out (so the next attempt starts a new one). */
async function endWindow(username: string): Promise<void> {
  const { throttleKey } = await import('../shared/users/login-throttle');
  await endWindowOf(await throttleKey('username', username));
}

/** Ends the window of any throttle scope (keys from the graph of the function that counts in it). */
async function endWindowOf(key: Record<string, string>): Promise<void> {
  const { dynamo } = await import('../shared/store/dynamodb');
  await dynamo().send(new UpdateCommand({ TableName: TEST_TABLES.loginThrottle, Key: key, UpdateExpression: 'SET expiresAt = :past', ExpressionAttributeValues: { ':past': 1 } }));
}

/** The last link mailed through SES to `address`: read from the recorded SendEmail input. */
const sentLinks = new Map<string, { uid: string; token: string }>();

describe('each function makes exactly the AWS calls its role allows', () => {
  it('walks every path of every function, then compares with the synthesized roles', async () => {
    const login = await container('obtain');
    const logIn = async (username: string, password: string) => invoke(login, { body: { username, password } });

    // obtain: a login; wrong passwords up to the lock; a new window after one ended; a Django hash re-hashed.
    const alice = await newUser();
    const { access, refresh: aliceRefresh } = (await logIn(alice.user.username, alice.password)).body;
    for (const guess of ['guess-1', 'guess-2', 'guess-3']) await logIn(alice.user.username, guess);
    await endWindow(alice.user.username);
    expect((await logIn(alice.user.username, 'guess-4')).status).toBe(401);
    const salt = 'iamsalt';
    const django = await newUser(`pbkdf2_sha256$1000$${salt}$${pbkdf2Sync('django-pw-1', salt, 1000, 32, 'sha256').toString('base64')}`);
    expect((await logIn(django.user.username, 'django-pw-1')).status).toBe(200);

    // refresh: a rotation, its retry, a replay after the grace, a token without a session, and with
    // blacklist-after-rotation off.
    const refresh = await container('refresh');
    const bob = await newUser();
    const bobTokens = (await logIn(bob.user.username, bob.password)).body;
    const rotated = await invoke(refresh, { body: { refresh: bobTokens.refresh } });
    expect(rotated.status).toBe(200);
    await invoke(refresh, { body: { refresh: bobTokens.refresh } });
    expect((await later(31, () => invoke(refresh, { body: { refresh: bobTokens.refresh } }))).status).toBe(401);
    const { issueTokenPair } = await import('../shared/sessions/session-tokens');
    const { tokenClaimsFor } = await import('../shared/users/users');
    vi.stubEnv('SIGNING_KEY', SECRET_VALUE); // the test's own graph signs with the same key as the functions read
    const legacy = await issueTokenPair(tokenClaimsFor(bob.user));
    vi.stubEnv('SIGNING_KEY', '');
    expect((await invoke(refresh, { body: { refresh: legacy.refresh } })).status).toBe(200);
    const plainRefresh = await container('refresh', { BLACKLIST_AFTER_ROTATION: 'false' });
    const carol = await newUser();
    expect((await invoke(plainRefresh, { body: { refresh: (await logIn(carol.user.username, carol.password)).body.refresh } })).status).toBe(200);
    vi.stubEnv('BLACKLIST_AFTER_ROTATION', 'true');

    // verify: an access token reads nothing; a refresh token is looked up.
    const verify = await container('verify');
    expect((await invoke(verify, { body: { token: access } })).status).toBe(200);
    expect((await invoke(verify, { body: { token: aliceRefresh } })).status).toBe(200);

    const profile = await container('profile');
    expect((await invoke(profile, { method: 'GET', headers: bearer(access) })).status).toBe(200);

    const sessions = await container('sessions');
    expect((await invoke(sessions, { method: 'GET', headers: bearer(access) })).status).toBe(200);

    const endSession = await container('end-session');
    const spare = (await logIn(alice.user.username, alice.password)).body;
    expect((await invoke(endSession, { method: 'DELETE', headers: bearer(access), pathParameters: { id: claimsOf(spare.access).sid as string } })).status).toBe(204);

    const logout = await container('logout');
    expect((await invoke(logout, { body: { refresh: spare.refresh } })).status).toBe(200);
    expect((await invoke(logout, { body: { refresh: spare.refresh } })).status).toBe(400);
    // A token without a session: the session it would have is named by a keyed hash of its id.
    vi.stubEnv('SIGNING_KEY', SECRET_VALUE);
    const legacyToLogOut = await issueTokenPair(tokenClaimsFor(bob.user));
    vi.stubEnv('SIGNING_KEY', '');
    expect((await invoke(logout, { body: { refresh: legacyToLogOut.refresh } })).status).toBe(200);

    // password: wrong old passwords up to the lock, a new window, then a change (which clears the count).
    const password = await container('password');
    const dave = await newUser();
    const daveAccess = (await logIn(dave.user.username, dave.password)).body.access;
    const change = (old: string) => invoke(password, { headers: bearer(daveAccess), body: { old_password: old, new_password: 'a-brand-new-password-9' } });
    for (const guess of ['old-1', 'old-2', 'old-3']) await change(guess);
    await endWindow(dave.user.username);
    expect((await change(dave.password)).status).toBe(200);

    const logoutAll = await container('logout-all');
    const erin = await newUser();
    expect((await invoke(logoutAll, { headers: bearer((await logIn(erin.user.username, erin.password)).body.access) })).status).toBe(200);

    for (const name of ['jwks', 'openid-configuration', 'whoami', 'schema'] as const) {
      expect((await invoke(await container(name), { method: 'GET' })).status).toBe(200);
    }

    const authorizer = await container('authorizer');
    const { authorizerEvent, httpApiEvent } = await import('../infra/local/events');
    const frank = await newUser();
    const frankAccess = (await logIn(frank.user.username, frank.password)).body.access;
    const decision = await (authorizer as unknown as (event: unknown) => Promise<{ isAuthorized: boolean }>)(
      authorizerEvent(httpApiEvent({ method: 'GET', url: '/account/whoami', routePath: '/account/whoami', headers: [['authorization', `Bearer ${frankAccess}`]] })),
    );
    expect(decision.isAuthorized).toBe(true);

    // Accounts by email: sign-up (with a bearer, which is authenticated), activation (a wrong token, its
    // window ended, then the right one), mails asked for again (a window ended), password reset and its
    // confirmation, the bearer's own account (an email change, a deletion) and set_password.
    const signUp = await container('users-create');
    const ivy = { username: `ivy-${randomUUID().slice(0, 6)}`, email: `ivy-${randomUUID().slice(0, 6)}@example.com`, password: 'S3cure-pass-123' };
    // SES refuses the first activation mail: the sign-up is undone, so the same sign-up can be sent again.
    expect((await invoke(signUp, { body: { ...ivy, email: `ivy@refused.example.com` }, headers: bearer(access) })).status).toBe(503);
    expect((await invoke(signUp, { body: ivy, headers: bearer(access) })).status).toBe(201);
    const activation = await container('activation');
    const ivyLink = sentLinks.get(ivy.email)!;
    expect((await invoke(activation, { body: { uid: ivyLink.uid, token: `${ivyLink.token.slice(0, -1)}0` } })).status).toBe(400);
    const { scopeKey } = await import('../shared/users/throttle');
    const { decodeUid } = await import('../shared/accounts/account-links');
    await endWindowOf(await scopeKey('link-user', decodeUid(ivyLink.uid)!));
    expect((await invoke(activation, { body: ivyLink })).status).toBe(204);

    const resend = await container('resend-activation');
    const pending = { username: `pen-${randomUUID().slice(0, 6)}`, email: `pen-${randomUUID().slice(0, 6)}@example.com`, password: 'S3cure-pass-123' };
    await invoke(signUp, { body: pending });
    expect((await invoke(resend, { body: { email: pending.email } })).status).toBe(204);
    await endWindowOf(await scopeKey('mail-email', pending.email));
    expect((await invoke(resend, { body: { email: pending.email } })).status).toBe(204);

    const resetPassword = await container('reset-password');
    expect((await invoke(resetPassword, { body: { email: ivy.email } })).status).toBe(204);
    await endWindowOf(await scopeKey('mail-email', ivy.email));
    expect((await invoke(resetPassword, { body: { email: ivy.email } })).status).toBe(204);
    const confirm = await container('reset-password-confirm');
    const resetLink = sentLinks.get(ivy.email)!;
    expect((await invoke(confirm, { body: { ...resetLink, token: `${resetLink.token.slice(0, -1)}0`, new_password: 'a-new-long-password-7' } })).status).toBe(400);
    await endWindowOf(await scopeKey('link-user', decodeUid(resetLink.uid)!));
    expect((await invoke(confirm, { body: { ...resetLink, new_password: 'a-new-long-password-7' } })).status).toBe(204);

    const me = await container('me');
    const gus = await newUser();
    const gusAccess = (await logIn(gus.user.username, gus.password)).body.access;
    expect((await invoke(me, { method: 'GET', headers: bearer(gusAccess) })).status).toBe(200);
    for (const guess of ['me-1', 'me-2', 'me-3']) await invoke(me, { method: 'DELETE', headers: bearer(gusAccess), body: { current_password: guess } });
    await endWindow(gus.user.username);
    expect((await invoke(me, { method: 'DELETE', headers: bearer(gusAccess), body: { current_password: gus.password } })).status).toBe(204);
    const hal = await newUser();
    const halAccess = (await logIn(hal.user.username, hal.password)).body.access;
    expect((await invoke(me, { method: 'PATCH', headers: bearer(halAccess), body: { email: `hal-${randomUUID().slice(0, 6)}@example.com` } })).status).toBe(200);

    const setPassword = await container('set-password');
    const joy = await newUser();
    const joyAccess = (await logIn(joy.user.username, joy.password)).body.access;
    for (const guess of ['sp-1', 'sp-2', 'sp-3']) await invoke(setPassword, { headers: bearer(joyAccess), body: { current_password: guess, new_password: 'the-next-password-9' } });
    await endWindow(joy.user.username);
    expect((await invoke(setPassword, { headers: bearer(joyAccess), body: { current_password: joy.password, new_password: 'the-next-password-9' } })).status).toBe(204);

    // The roles, from a template synthesized without bundling.
    const app = cdkApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new AuthStack(app, 'IamProbe', { auth: { accounts: { mail: { from: 'noreply@example.com', identity: MAIL_IDENTITY } } } });
    const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const resourceNames: Record<string, string> = {
      [stack.getLogicalId(stack.auth.signingKey.node.defaultChild as never)]: 'signingKey',
      [stack.getLogicalId(stack.auth.secretKey.node.defaultChild as never)]: 'secretKey',
      ...Object.fromEntries(TABLE_IDS.map((id: TableId) => [stack.getLogicalId(stack.auth.tables[id].node.defaultChild as never), id])),
    };
    const granted = (name: FunctionName) => {
      const fn = name === 'authorizer' ? stack.auth.authorizerFunction! : stack.auth.functions[name];
      const roleId = stack.getLogicalId(fn.role!.node.defaultChild as never);
      const policy = Object.values(json.Resources).find(
        (resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
      );
      const statements = ((policy?.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] } | undefined)?.Statement ?? []);
      return new Set(
        statements.flatMap(({ Action, Resource }) => {
          const actions = ([] as string[]).concat(Action).filter((action) => !action.startsWith('logs:'));
          const resources = ([] as unknown[]).concat(Resource).map((resource) => {
            const id = (resource as { Ref?: string }).Ref ?? (resource as { 'Fn::GetAtt'?: [string] })['Fn::GetAtt']?.[0];
            const text = JSON.stringify(resource);
            if (text.includes(`identity/${MAIL_IDENTITY}`)) return 'sesIdentity';
            // An index: Fn::Join of the table's ARN and "/index/<name>".
            const index = /\/index\/(\w+)/.exec(text)?.[1];
            const table = Object.entries(resourceNames).find(([logicalId]) => text.includes(logicalId))?.[1];
            if (index && table) return `${table}/index/${index}`;
            return resourceNames[id ?? ''] ?? text;
          });
          return actions.flatMap((action) => resources.map((resource) => `${action} ${resource}`));
        }),
      );
    };
    const sorted = (set: Set<string> | undefined) => [...(set ?? [])].sort();
    for (const name of [...ROUTES.map((route) => route.name), 'authorizer'] as FunctionName[]) {
      expect(sorted(recorded.get(name)), `${name}: calls made = calls granted`).toEqual(sorted(granted(name)));
    }
    // Sanity: the recorder saw the cases that only AWS would refuse.
    expect(recorded.get('obtain')).toContain('dynamodb:UpdateItem users');
  }, 240_000);
});
