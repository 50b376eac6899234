/**
 * ServerlessJwtAuth: the whole service as one construct a team can drop into its own stack: an HTTP API
 * with the five routes, one Lambda function per handler, the users and blacklist tables, and the signing
 * key in Secrets Manager, each function allowed only what it uses.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Lazy, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer, HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, ParamsAndSecretsLayerVersion, ParamsAndSecretsLogLevel, ParamsAndSecretsVersions, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE_IDS, TABLES, type TableId, type TableSchema } from '../../shared/tables';
import { ACCESS_SCOPE } from '../../shared/tokens/tokens';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from '../../shared/http/cors';
import { loadSettings, parseOrigins } from '../../shared/settings';
import { ROUTE_KEYS, ROUTES, type Route } from '../routes';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerlessJwtAuthProps {
  /** @default 15 minutes */
  readonly accessTokenLifetime?: Duration;
  /** @default 7 days */
  readonly refreshTokenLifetime?: Duration;
  /** @default true */
  readonly rotateRefreshTokens?: boolean;
  /** @default true */
  readonly blacklistAfterRotation?: boolean;
  /** Clock skew tolerated on exp and nbf. @default no leeway */
  readonly leeway?: Duration;
  /** How long a session lasts from login, however often it is refreshed. @default the refresh token lifetime */
  readonly sessionLifetime?: Duration;
  /** Distinct wrong passwords per username within `loginFailureWindow` before 429; 0 turns it off. @default 5 */
  readonly loginFailureLimit?: number;
  /** @default 15 minutes */
  readonly loginFailureWindow?: Duration;
  /** Distinct wrong passwords per client address, across usernames, within `loginAddressFailureWindow` before 429; 0 turns it off. @default 30 */
  readonly loginAddressFailureLimit?: number;
  /** @default 15 minutes */
  readonly loginAddressFailureWindow?: Duration;
  /**
   * A refresh token presented again this soon after its rotation gets the same successor (a retry, a second
   * tab); later, the replay revokes its session. @default 30 seconds
   */
  readonly refreshReuseGrace?: Duration;
  /**
   * The AWS Parameters and Secrets Lambda Extension layer (arm64) the functions read the signing key
   * through. CDK knows its ARN in the main regions; elsewhere pass
   * `ParamsAndSecretsLayerVersion.fromVersionArn(...)` with the ARN AWS lists for your region.
   * @default the CDK's built-in version, for regions it knows
   */
  readonly paramsAndSecretsLayer?: ParamsAndSecretsLayerVersion;
  /**
   * What protects the routes you add to `api` (and the example `/account/whoami`), as simplejwt's
   * DEFAULT_AUTHENTICATION_CLASSES protect every Django view:
   * - `lambda` (default): this service's authorizer function; any algorithm; the session and the user are
   *   checked too; the integration receives `requestContext.authorizer.lambda` (user_id, username, email,
   *   is_staff, full_name, session_id). Answers are cached per token for `resultsCacheTtl`, so a logout
   *   reaches protected routes within that time.
   * - `jwt`: API Gateway's own JWT authorizer, no function call at all. It reads keys from this API's
   *   /.well-known/openid-configuration and accepts RSA keys only, so the key set's signing key must be
   *   RS256; tokens then carry `iss` (this API's URL) and `aud` (`audience`). Signature and expiry only:
   *   no session or user check.
   * @default { type: 'lambda', resultsCacheTtl: 1 minute }
   */
  readonly authorizer?: { readonly type?: 'lambda' | 'jwt'; readonly resultsCacheTtl?: Duration; readonly audience?: string };
  /** Browser origins allowed to call the API ("*" for any). @default none: no CORS */
  readonly corsAllowedOrigins?: string[];
  /** Stage-wide throttling. @default 100 requests per second, bursts of 200 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Retention of the functions' and the API's logs. @default one month */
  readonly logRetention?: RetentionDays;
  /** What deleting the stack does to the users table. @default RemovalPolicy.RETAIN */
  readonly usersTableRemovalPolicy?: RemovalPolicy;
  /**
   * Memory of obtain and the other functions that hash a password (sign-up, password changes and resets,
   * account deletion), which run scrypt at N=2^17, r=8 (128 MiB per hash). Lambda gives CPU in proportion to
   * memory, one full vCPU at 1769 MB, and the hash is CPU-bound: less memory makes every login slower by the
   * same factor. @default 1769
   */
  readonly obtainMemorySize?: number;
  /**
   * Accounts by email (djoser's /auth/users/ endpoints). Mail goes through Amazon SES from `from`, an
   * address of the verified SES identity `identity` (a domain or an address); only the functions that mail
   * may send, and only as that identity. Without it, those functions cannot mail (a new SES account is in
   * the sandbox: it mails verified addresses only until AWS lifts it).
   */
  readonly accounts?: {
    readonly mail?: { readonly from: string; readonly identity: string };
    /** @default 'closed': only staff create users */
    readonly registration?: 'open' | 'closed';
    /** New users (and changed emails) wait for the mailed link; needs `mail`. @default true when `mail` is given */
    readonly sendActivationEmail?: boolean;
    /** The app the mailed links open. @default the API's URL */
    readonly frontendUrl?: string;
    readonly siteName?: string;
    /** @default 1 day */
    readonly linkLifetime?: Duration;
  };
  /**
   * Cookie mode for browser apps (AUTH_COOKIE): login and refresh put the refresh token in an HttpOnly
   * cookie, and refresh and logout read it behind CSRF checks; CORS then allows credentials, so
   * `corsAllowedOrigins` must name the app's origins (not "*").
   */
  readonly authCookie?: {
    /** JWT_AUTH_SAMESITE: "None" for an app on another site than the API. @default 'Lax' */
    readonly sameSite?: 'Lax' | 'Strict' | 'None';
    /** AUTH_COOKIE_BODY: keep the refresh token in response bodies too, for native clients. @default false */
    readonly body?: boolean;
    /** JWT_AUTH_REFRESH_COOKIE. @default 'refresh_token' */
    readonly name?: string;
    /** CSRF_COOKIE_DOMAIN, e.g. ".example.com" when the app and the API are sibling hosts. @default the API's host */
    readonly csrfCookieDomain?: string;
  };
}

type FunctionName = Route['name'];

/**
 * The other functions do one or two DynamoDB calls and a HMAC: 512 MB gives them a third of a vCPU, which
 * keeps cold starts (module loading is CPU-bound) short without paying for idle memory.
 */
export const DEFAULT_MEMORY_SIZE = 512;

/** Functions that neither sign nor verify a token. */
const WITHOUT_SIGNING_KEY = new Set<string>(['whoami', 'activation', 'resend-activation', 'reset-password', 'reset-password-confirm', 'schema']);
/** A full vCPU for the scrypt hash (see obtainMemorySize), for the routes that hash passwords. */
export const OBTAIN_MEMORY_SIZE = 1769;

export class ServerlessJwtAuth extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly tables: Record<TableId, TableV2>;
  readonly signingKey: Secret;
  /** The service's own secret (SECRET_KEY): keys the login throttle's hashes and derived token ids. */
  readonly secretKey: Secret;
  readonly functions: Record<FunctionName, NodejsFunction>;
  /** The function behind the Lambda authorizer; none when the JWT authorizer is chosen. */
  readonly authorizerFunction?: NodejsFunction;
  /** The default authorizer of every route added to `api` that does not name another. */
  readonly authorizer: IHttpRouteAuthorizer;

  /** The API's base URL, ending in "/". */
  get url(): string {
    return this.stage.url;
  }

  constructor(scope: Construct, id: string, props: ServerlessJwtAuthProps = {}) {
    super(scope, id);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    // Only users outlive the stack by default; every other item matters only until its TTL.
    const removal = (id: TableId) => (id === 'users' ? (props.usersTableRemovalPolicy ?? RemovalPolicy.RETAIN) : RemovalPolicy.DESTROY);
    this.tables = Object.fromEntries(TABLE_IDS.map((id) => [id, table(this, tableConstructId(id), TABLES[id], removal(id))])) as Record<TableId, TableV2>;
    const { users, blacklist, sessions, loginThrottle } = this.tables;

    this.signingKey = new Secret(this, 'SigningKey', {
      description: 'HS256 key that signs and verifies the auth API tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Automatic rotation of an HS256 key would end every session at each rotation; the README documents rotating it on purpose.',
    });
    this.secretKey = new Secret(this, 'SecretKey', {
      description: 'The auth API SECRET_KEY: keys the login throttle hashes and derived token ids (never signs tokens)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.secretKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating it would reset every login throttle count and break refresh retries in flight; nothing is gained by rotating it on a schedule.',
    });

    const environment: Record<string, string> = {
      ...Object.fromEntries(TABLE_IDS.map((id) => [TABLES[id].env, this.tables[id].tableName])),
      SIGNING_KEY_SECRET_ARN: this.signingKey.secretArn,
      SECRET_KEY_SECRET_ARN: this.secretKey.secretArn,
      ...(props.corsAllowedOrigins?.length ? { CORS_ALLOWED_ORIGINS: props.corsAllowedOrigins.join(',') } : {}),
      ACCESS_TOKEN_LIFETIME: String((props.accessTokenLifetime ?? Duration.minutes(15)).toSeconds()),
      REFRESH_TOKEN_LIFETIME: String((props.refreshTokenLifetime ?? Duration.days(7)).toSeconds()),
      ROTATE_REFRESH_TOKENS: String(props.rotateRefreshTokens ?? true),
      BLACKLIST_AFTER_ROTATION: String(props.blacklistAfterRotation ?? true),
      LEEWAY: String((props.leeway ?? Duration.seconds(0)).toSeconds()),
      ...(props.sessionLifetime ? { SESSION_LIFETIME: String(props.sessionLifetime.toSeconds()) } : {}),
      LOGIN_FAILURE_LIMIT: String(props.loginFailureLimit ?? 5),
      LOGIN_FAILURE_WINDOW: String((props.loginFailureWindow ?? Duration.minutes(15)).toSeconds()),
      LOGIN_ADDRESS_FAILURE_LIMIT: String(props.loginAddressFailureLimit ?? 30),
      LOGIN_ADDRESS_FAILURE_WINDOW: String((props.loginAddressFailureWindow ?? Duration.minutes(15)).toSeconds()),
      REFRESH_REUSE_GRACE: String((props.refreshReuseGrace ?? Duration.seconds(30)).toSeconds()),
      REGISTRATION: registration(props.accounts),
      SEND_ACTIVATION_EMAIL: String(sendActivationEmail(props.accounts)),
      PASSWORD_RESET_TIMEOUT: String((props.accounts?.linkLifetime ?? Duration.days(1)).toSeconds()),
      ...(props.accounts?.frontendUrl ? { FRONTEND_URL: props.accounts.frontendUrl } : {}),
      ...(props.accounts?.siteName ? { SITE_NAME: props.accounts.siteName } : {}),
      ...(props.accounts?.mail ? { MAIL_FROM: props.accounts.mail.from, SES_IDENTITY_ARN: sesIdentityArn(this, props.accounts.mail.identity) } : {}),
      ...authCookieEnvironment(props),
    };
    const paramsAndSecrets = props.paramsAndSecretsLayer ?? knownParamsAndSecretsLayer(this);

    // Each function gets exactly the DynamoDB actions its code calls, on the tables it calls them on, and the
    // service's secret key only where it hashes with it. TransactWriteItems and BatchGetItem are authorised
    // per item, by the item-level actions they contain.
    const secretKey = (fn: NodejsFunction) =>
      fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secretKey.secretArn] }));
    // Statements of our own rather than TableV2.grant, which would also allow every action on every index.
    const grant = (fn: NodejsFunction, table: TableV2, ...actions: string[]) => fn.addToRolePolicy(new PolicyStatement({ actions, resources: [table.tableArn] }));
    const grantIndex = (fn: NodejsFunction, table: TableV2, index: string, ...actions: string[]) =>
      fn.addToRolePolicy(new PolicyStatement({ actions, resources: [`${table.tableArn}/index/${index}`] }));
    const mailIdentity = props.accounts?.mail ? sesIdentityArn(this, props.accounts.mail.identity) : undefined;
    // SESv2 SendEmail is authorised on the identity it sends as: https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html
    const mail = (fn: NodejsFunction) => {
      if (mailIdentity) fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [mailIdentity] }));
    };
    const bearerAuth = (fn: NodejsFunction) => {
      grant(fn, users, 'dynamodb:BatchGetItem');
      grant(fn, sessions, 'dynamodb:BatchGetItem');
    };
    const permissions: Record<FunctionName, (fn: NodejsFunction) => void> = {
      obtain: (fn) => {
        // Username and user reads; the re-hash of an imported password; the session the login starts.
        grant(fn, users, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
        grant(fn, loginThrottle, 'dynamodb:UpdateItem', 'dynamodb:PutItem');
        grant(fn, sessions, 'dynamodb:PutItem');
        secretKey(fn);
      },
      profile: bearerAuth,
      refresh: (fn) => {
        // The transaction: PutItem on the blacklist, ConditionCheckItem on the user, UpdateItem (or PutItem,
        // for a token from before sessions) on the session; GetItem of the user in parallel; UpdateItem to
        // revoke a session on a replay; BatchGetItem when blacklist-after-rotation is switched off.
        grant(fn, users, 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:BatchGetItem');
        grant(fn, blacklist, 'dynamodb:PutItem', 'dynamodb:BatchGetItem');
        grant(fn, sessions, 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:BatchGetItem');
        secretKey(fn);
      },
      logout: (fn) => {
        grant(fn, blacklist, 'dynamodb:PutItem');
        grant(fn, sessions, 'dynamodb:UpdateItem');
        secretKey(fn);
      },
      // A refresh token's blacklist entry, session and user, in one BatchGetItem; access tokens read nothing.
      verify: (fn) => {
        for (const table of [users, blacklist, sessions]) grant(fn, table, 'dynamodb:BatchGetItem');
      },
      password: (fn) => {
        bearerAuth(fn);
        grant(fn, users, 'dynamodb:UpdateItem');
        grant(fn, loginThrottle, 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
        secretKey(fn);
      },
      'logout-all': (fn) => {
        bearerAuth(fn);
        grant(fn, users, 'dynamodb:UpdateItem');
      },
      sessions: (fn) => {
        bearerAuth(fn);
        grant(fn, sessions, 'dynamodb:Query');
      },
      'end-session': (fn) => {
        bearerAuth(fn);
        grant(fn, sessions, 'dynamodb:UpdateItem');
      },
      // Accounts by email. A throttle (mails asked for, wrong link tokens, current passwords) updates its
      // counts, starts windows and clears them; links and keyed hashes need the secret key; mails need SES.
      'users-create': (fn) => {
        bearerAuth(fn);
        // DeleteItem undoes a sign-up whose activation mail could not be sent.
        grant(fn, users, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
        secretKey(fn);
        mail(fn);
      },
      activation: (fn) => {
        grant(fn, users, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
        grant(fn, loginThrottle, 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
        secretKey(fn);
      },
      'resend-activation': (fn) => {
        grantIndex(fn, users, 'byEmail', 'dynamodb:Query');
        grant(fn, loginThrottle, 'dynamodb:UpdateItem', 'dynamodb:PutItem');
        secretKey(fn);
        mail(fn);
      },
      'reset-password': (fn) => {
        grantIndex(fn, users, 'byEmail', 'dynamodb:Query');
        grant(fn, loginThrottle, 'dynamodb:UpdateItem', 'dynamodb:PutItem');
        secretKey(fn);
        mail(fn);
      },
      'reset-password-confirm': (fn) => {
        grant(fn, users, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
        grant(fn, loginThrottle, 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
        secretKey(fn);
      },
      me: (fn) => {
        bearerAuth(fn);
        // A profile change; a deletion: the user and its username, its sessions, its failed logins.
        grant(fn, users, 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
        grant(fn, sessions, 'dynamodb:Query', 'dynamodb:DeleteItem');
        grant(fn, loginThrottle, 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
        secretKey(fn);
        mail(fn);
      },
      'set-password': (fn) => {
        bearerAuth(fn);
        grant(fn, users, 'dynamodb:UpdateItem');
        grant(fn, loginThrottle, 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
        secretKey(fn);
      },
      jwks: () => {},
      'openid-configuration': () => {},
      whoami: () => {},
      schema: () => {},
    };

    const makeFunction = (name: FunctionName | 'authorizer', memorySize: number) => {
      const fn = lambdaFunction(this, name, { environment, memorySize, logRetention, paramsAndSecrets });
      // GetSecretValue only: grantRead would add DescribeSecret, which nothing calls. The example route
      // reads what the authorizer handed on, and the account links' functions check no token: no key at all.
      if (!WITHOUT_SIGNING_KEY.has(name)) fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.signingKey.secretArn] }));
      return fn;
    };
    const functions = {} as Record<FunctionName, NodejsFunction>;
    for (const route of ROUTES) {
      functions[route.name] = makeFunction(route.name, route.hashesPasswords ? (props.obtainMemorySize ?? OBTAIN_MEMORY_SIZE) : DEFAULT_MEMORY_SIZE);
      permissions[route.name](functions[route.name]);
    }
    this.functions = functions;
    const authorizerType = props.authorizer?.type ?? 'lambda';
    if (authorizerType === 'lambda') {
      this.authorizerFunction = makeFunction('authorizer', DEFAULT_MEMORY_SIZE);
      bearerAuth(this.authorizerFunction);
    }

    // The same check as CORS_ALLOWED_ORIGINS locally: an origin that can never match a browser's is refused here.
    const origins = [...parseOrigins('corsAllowedOrigins', (props.corsAllowedOrigins ?? []).join(','))];
    const audience = props.authorizer?.audience ?? 'serverless-simplejwt';
    // The JWT authorizer's issuer is this API's own URL, which exists only once the API does.
    const apiEndpoint = Lazy.string({ produce: () => this.api.apiEndpoint });
    this.authorizer =
      authorizerType === 'lambda'
        ? new HttpLambdaAuthorizer('TokenAuthorizer', this.authorizerFunction!, {
            responseTypes: [HttpLambdaResponseType.SIMPLE],
            identitySource: ['$request.header.Authorization'],
            resultsCacheTtl: props.authorizer?.resultsCacheTtl ?? Duration.minutes(1),
          })
        : // HTTP API JWT authorizers fetch {issuer}/.well-known/openid-configuration and support RSA keys only:
          // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
          new HttpJwtAuthorizer('JwtAuthorizer', apiEndpoint, { jwtAudience: [audience], identitySource: ['$request.header.Authorization'] });
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'simplejwt-compatible JWT authentication',
      createDefaultStage: false,
      defaultAuthorizer: this.authorizer,
      // Only access tokens carry this scope, so the JWT authorizer refuses refresh tokens.
      ...(authorizerType === 'jwt' ? { defaultAuthorizationScopes: [ACCESS_SCOPE] } : {}),
      ...(origins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: origins,
              allowMethods: CORS_ALLOWED_METHODS.map((method) => CorsHttpMethod[method]),
              allowHeaders: [...CORS_ALLOWED_HEADERS],
              maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
              ...(props.authCookie ? { allowCredentials: true, exposeHeaders: [...CORS_EXPOSED_HEADERS] } : {}),
            },
          }
        : {}),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const throttle = props.throttle ?? { rateLimit: 100, burstLimit: 200 };
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Request facts only: no header (Authorization) and no body is ever logged.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            latency: '$context.responseLatency',
          }),
        ),
      },
    });

    // The discovery document names this API as the issuer (ISSUER when set), never a request's Host.
    functions['openid-configuration'].addEnvironment('API_URL', this.api.apiEndpoint);
    // The OpenAPI document names it as its server.
    functions.schema.addEnvironment('API_URL', this.api.apiEndpoint);
    if (authorizerType === 'jwt') {
      for (const fn of Object.values(functions)) {
        fn.addEnvironment('ISSUER', this.api.apiEndpoint);
        fn.addEnvironment('AUDIENCE', audience);
      }
    }

    // The route keys of infra/routes.ts: each route as ANY (a wrong method gets simplejwt's 405 from the
    // handler) and its "{proxy+}" twin for the trailing-slash spelling; a protected route also as OPTIONS
    // without the authorizer, for browsers' preflights.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationOf = (name: FunctionName) => {
      if (!integrations.has(name)) {
        integrations.set(name, new HttpLambdaIntegration(`${name}Integration`, functions[name], { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 }));
      }
      return integrations.get(name)!;
    };
    for (const key of ROUTE_KEYS) {
      const [httpRoute] = this.api.addRoutes({
        path: key.path,
        methods: [key.method === 'ANY' ? HttpMethod.ANY : HttpMethod.OPTIONS],
        integration: integrationOf(key.route.name),
        // The service's own routes are public (they check tokens themselves, as simplejwt's views do).
        authorizer: key.authorized ? this.authorizer : new HttpNoneAuthorizer(),
        // CDK would copy the default scopes onto public routes too, which CloudFormation refuses.
        ...(key.authorized ? {} : { authorizationScopes: [] }),
      });
      if (!key.authorized) {
        Validations.of(httpRoute!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: key.route.protected
            ? "A browser's CORS preflight carries no credentials: the OPTIONS route of a protected path has no authorizer, and its handler answers preflights only."
            : 'Authentication is what this API provides: login, refresh, verify, logout and the key documents are public by contract, and the profile and password routes check their bearer JWT in the handler, as simplejwt does.',
        });
      }
    }
  }
}

function registration(accounts: ServerlessJwtAuthProps['accounts']): 'open' | 'closed' {
  const value = accounts?.registration ?? 'closed';
  if (value !== 'open' && value !== 'closed') throw new Error(`accounts.registration must be 'open' or 'closed', not '${String(value)}'`);
  return value;
}

/** Activation mails need a way to send them: without `mail`, users start active (djoser's default). */
function sendActivationEmail(accounts: ServerlessJwtAuthProps['accounts']): boolean {
  const wanted = accounts?.sendActivationEmail ?? Boolean(accounts?.mail);
  if (wanted && !accounts?.mail) throw new Error('accounts.sendActivationEmail needs accounts.mail (the SES identity to send from)');
  return wanted;
}

/** The ARN of an SES identity (a domain or an address) of this stack's account and region. */
function sesIdentityArn(scope: Construct, identity: string): string {
  return identity.startsWith('arn:') ? identity : Stack.of(scope).formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
}

/** "UsersTable", "BlacklistTable", "SessionsTable", ... */
export const tableConstructId = (id: TableId) => `${id[0]!.toUpperCase()}${id.slice(1)}Table`;

function table(scope: Construct, id: string, schema: TableSchema, removalPolicy: RemovalPolicy): TableV2 {
  return new TableV2(scope, id, {
    partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
    ...(schema.sortKey ? { sortKey: { name: schema.sortKey, type: AttributeType.STRING } } : {}),
    billing: Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    ...(schema.timeToLiveAttribute ? { timeToLiveAttribute: schema.timeToLiveAttribute } : {}),
    ...(schema.indexes?.length
      ? { globalSecondaryIndexes: schema.indexes.map((index) => ({ indexName: index.name, partitionKey: { name: index.partitionKey, type: AttributeType.STRING } })) }
      : {}),
    removalPolicy,
  });
}

interface FunctionOptions {
  readonly environment: Record<string, string>;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  readonly paramsAndSecrets: ParamsAndSecretsLayerVersion;
}

/**
 * CDK resolves the layer through a per-region mapping, which only covers the regions it knows: in a stack
 * bound to another region, fail at synth with what to do rather than at deploy with "Unable to get mapping".
 */
function knownParamsAndSecretsLayer(scope: Construct): ParamsAndSecretsLayerVersion {
  const version = ParamsAndSecretsVersions.V1_0_103;
  const { region } = Stack.of(scope);
  if (!Token.isUnresolved(region) && !RegionInfo.get(region).paramsAndSecretsLambdaLayerArn(version, 'arm64')) {
    throw new Error(
      `The Parameters and Secrets extension layer ${version} has no known ARN in ${region}: pass paramsAndSecretsLayer: ParamsAndSecretsLayerVersion.fromVersionArn(<ARN for ${region}, arm64>).`,
    );
  }
  return ParamsAndSecretsLayerVersion.fromVersion(version, { logLevel: ParamsAndSecretsLogLevel.WARN });
}

const REQUIRE_BANNER = "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);";

/**
 * Functions whose rare path is a dynamic import: verify reads DynamoDB only for a refresh token. CDK bundles
 * a function into one file, which puts the whole AWS SDK in verify's and makes every cold start compile it;
 * so verify is bundled again with esbuild's code splitting, and its dynamic import becomes a chunk of its
 * own, compiled only when a refresh token arrives.
 */
const LAZY_CHUNKS = new Set<string>(['verify']);

function splitLazyImports(name: string) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      [
        `"${join(inputDir, 'node_modules/.bin/esbuild')}"`,
        `"${join(inputDir, 'functions', `${name}.ts`)}"`,
        '--bundle --platform=node --target=node24 --format=esm --splitting --minify --sourcemap --sources-content=false',
        '--main-fields=module,main --log-level=warning --entry-names=index --chunk-names=chunk-[hash] --out-extension:.js=.mjs',
        `--banner:js="${REQUIRE_BANNER}"`,
        `--outdir="${outputDir}"`,
      ].join(' '),
    ],
  };
}

/** Every function is built the same way; only its entry, memory and permissions differ. */
function lambdaFunction(scope: Construct, name: FunctionName | 'authorizer', options: FunctionOptions): NodejsFunction {
  const logGroup = new LogGroup(scope, `${name}Logs`, { retention: options.logRetention, removalPolicy: RemovalPolicy.DESTROY });
  // Its own role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log group.
  const role = new Role(scope, `${name}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `auth API: ${name}` });
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, `${name}Function`, {
    role,
    description: `auth API: ${name}`,
    entry: join(PROJECT_ROOT, 'functions', `${name}.ts`),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    runtime: Runtime.NODEJS_LATEST,
    architecture: Architecture.ARM_64,
    memorySize: options.memorySize,
    // A DynamoDB call gives up after about 3 x 1.5 s (shared/store/dynamodb.ts) and a request makes at most a few
    // in sequence, so the handler answers 503 itself before this, and this comes before API Gateway's 30 s.
    timeout: Duration.seconds(25),
    logGroup,
    // Stack traces in the logs point at the TypeScript sources through the bundled source maps.
    environment: { ...options.environment, NODE_OPTIONS: '--enable-source-maps' },
    // Reads the signing key over localhost, so no function needs the Secrets Manager SDK.
    paramsAndSecrets: options.paramsAndSecrets,
    bundling: {
      // Warnings and errors only: a synth prints nothing per function.
      logLevel: LogLevel.WARNING,
      format: OutputFormat.ESM,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      mainFields: ['module', 'main'],
      // Bundle the AWS SDK too: the versions the lock file pins are the ones tested, not the runtime's.
      externalModules: [],
      // Some CommonJS dependencies call require() on Node built-ins; ESM has no require of its own.
      banner: REQUIRE_BANNER,
      forceDockerBundling: false,
      ...(LAZY_CHUNKS.has(name) ? { commandHooks: splitLazyImports(name) } : {}),
    },
  });
  return fn;
}

/** Cookie mode's settings, checked at synth as the functions would check them (loadSettings) at their first request. */
function authCookieEnvironment(props: ServerlessJwtAuthProps): Record<string, string> {
  const cookie = props.authCookie;
  if (!cookie) return {};
  const environment: Record<string, string> = {
    AUTH_COOKIE: 'true',
    JWT_AUTH_SAMESITE: cookie.sameSite ?? 'Lax',
    AUTH_COOKIE_BODY: String(cookie.body ?? false),
    ...(cookie.name ? { JWT_AUTH_REFRESH_COOKIE: cookie.name } : {}),
    ...(cookie.csrfCookieDomain ? { CSRF_COOKIE_DOMAIN: cookie.csrfCookieDomain } : {}),
  };
  loadSettings({ ...environment, ...(props.corsAllowedOrigins?.length ? { CORS_ALLOWED_ORIGINS: props.corsAllowedOrigins.join(',') } : {}), API_URL: 'https://api.example.com' });
  return environment;
}
