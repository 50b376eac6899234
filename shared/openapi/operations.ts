/**
 * Every operation of the API, keyed by its route path as infra/routes.ts writes it (test/openapi.test.ts
 * holds the two lists to each other), with what it reads and every answer its handler can give. Some
 * depend on the settings: cookie mode, token rotation, djoser's retype options, open or closed sign-up.
 */
import { PARSED_MEDIA_TYPES } from '../http/request-body';
import type { JsonObject } from '../http/errors';
import type { Settings } from '../settings';
import { badRequest, HEADERS, json, noBody, responseRef, unauthorized, type Response } from './responses';
import { detail, object, ref, type Schema } from './schemas';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface Operation {
  readonly summary: string;
  readonly description?: string;
  /** Who may call: a bearer access token, optionally one, or (cookie mode) the refresh cookie with CSRF proof. */
  readonly security?: readonly Record<string, string[]>[];
  readonly request?: { readonly schema: Schema; readonly required: boolean };
  readonly parameters?: readonly JsonObject[];
  /** The operation's own answers; `standard` adds those every operation of its kind has. */
  readonly responses: Record<string, Response>;
  readonly standard: Standard;
}

/** Which of the shared answers apply. */
interface Standard {
  /** Runs in endpoint(): 413 and 500 (every handler but the authorizer's example route). */
  readonly endpoint?: boolean;
  /** Parses a body (415). */
  readonly body?: boolean;
  /** Authenticates a bearer (401). */
  readonly bearer?: boolean;
  /** Reads a store or a secret, or sends mail (503). */
  readonly dependencies?: boolean;
}

const SERVICE: Standard = { endpoint: true, dependencies: true };
const WITH_BODY: Standard = { ...SERVICE, body: true };
const BEARER: Standard = { ...SERVICE, bearer: true };
const BEARER_WITH_BODY: Standard = { ...WITH_BODY, bearer: true };

const bearerOnly = [{ jwtAuth: [] }];
const constantDetail = (message: string) => detail({ type: 'string', const: message });
const body = (schema: Schema, required = true) => ({ schema, required });

export function operations(settings: Settings): Record<string, Partial<Record<Method, Operation>>> {
  const cookie = settings.authCookie;
  const refreshInBody = !cookie || cookie.body;
  const retyped = (field: string, on: boolean) => (on ? [field] : []);
  const { userCreatePasswordRetype, passwordResetConfirmRetype, setPasswordRetype, registration } = settings.accounts;
  const text = { type: 'string' };

  // Cookie mode: a refresh token from the cookie instead of the body, with CSRF proof; 403 when that fails.
  const cookieSecurity: Pick<Operation, 'security'> = cookie ? { security: [{}, { refreshCookie: [], csrfHeader: [] }] } : {};
  const csrf: Record<string, Response> = cookie ? { 403: responseRef('CsrfFailed') } : {};
  const cookieHeaders: Record<string, JsonObject> = cookie ? { 'Set-Cookie': HEADERS['Set-Cookie']!, 'X-CSRFToken': HEADERS['X-CSRFToken']! } : {};
  const refreshRequest = object({ refresh: text }, cookie ? ['refresh'] : []);
  const tokenPair = (refresh: boolean): Schema => object({ access: text, ...(refresh ? { refresh: text } : {}) });

  return {
    '/api/token': {
      post: {
        summary: 'Log in: a username and password for an access and a refresh token',
        description: cookie ? `Cookie mode: the refresh token is set in the ${cookie.name} cookie${cookie.body ? ' and stays in the body' : ', not in the body'}.` : undefined,
        request: body(ref('TokenObtainPairRequest')),
        responses: {
          200: json('The token pair of a new session.', tokenPair(refreshInBody), cookieHeaders),
          400: badRequest(['username', 'password']),
          401: unauthorized('Wrong password, unknown user or inactive user: one answer for all.', constantDetail('No active account found with the given credentials')),
          ...csrf,
          429: responseRef('TooManyLoginAttempts'),
        },
        standard: WITH_BODY,
      },
    },
    '/api/token/refresh': {
      post: {
        summary: 'A refresh token for a new access token and its successor (rotation); the used one is blacklisted',
        description: `Presented again within REFRESH_REUSE_GRACE, the same successor again.${cookie ? ' Cookie mode: without `refresh` in the body, the cookie is used.' : ''}`,
        ...cookieSecurity,
        request: body(refreshRequest, !cookie),
        responses: {
          200: json('The new access token (and refresh token, with rotation on).', tokenPair(settings.rotateRefreshTokens && refreshInBody), cookieHeaders),
          400: badRequest(['refresh']),
          401: unauthorized('The refresh token is refused, or its user is gone or inactive.', {
            oneOf: [
              cookie
                ? object({ detail: { enum: ['Token is invalid', 'Token is expired', 'Token has wrong type', 'Token is blacklisted', 'No valid refresh token found.'] }, code: { type: 'string', const: 'token_not_valid' } })
                : ref('TokenNotValid'),
              constantDetail('No active account found for the given token.'),
            ],
          }),
          ...csrf,
        },
        standard: WITH_BODY,
      },
    },
    '/api/token/verify': {
      post: {
        summary: 'Is this a valid token of ours?',
        description: 'A refresh token whose session ended, or that was used up, is `Token is blacklisted` (400).',
        request: body(ref('TokenVerifyRequest')),
        responses: {
          200: json('Valid.', ref('Empty')),
          400: badRequest(['token']),
          401: unauthorized('Invalid or expired.', ref('TokenNotValid')),
        },
        standard: WITH_BODY,
      },
    },
    '/account/profile': {
      get: { summary: 'Who the bearer is', security: bearerOnly, responses: { 200: json("The bearer's user.", ref('Profile')) }, standard: BEARER },
    },
    '/account/logout': {
      post: {
        summary: 'Log out: blacklist the refresh token and end its session',
        ...cookieSecurity,
        request: body(refreshRequest, !cookie),
        responses: {
          200: json('The session has ended.', constantDetail('Successfully logged out.'), cookie ? { 'Set-Cookie': HEADERS['Set-Cookie']! } : {}),
          400: json('Any problem with the body or the token.', constantDetail('Invalid token.')),
          ...csrf,
        },
        standard: SERVICE,
      },
    },
    '/account/password': {
      post: {
        summary: "Change the bearer's password; every session of the user ends",
        security: bearerOnly,
        request: body(ref('PasswordChangeRequest')),
        responses: {
          200: json('Changed.', constantDetail('Password changed. Every session has ended: log in again.')),
          400: badRequest(['old_password', 'new_password']),
          409: json('The user changed twice while the password was being changed.', ref('Conflict')),
          429: responseRef('TooManyLoginAttempts'),
        },
        standard: BEARER_WITH_BODY,
      },
    },
    '/account/logout-all': {
      post: { summary: 'End every session of the bearer', security: bearerOnly, responses: { 200: json('Done.', constantDetail('Logged out of every session.')) }, standard: BEARER },
    },
    '/account/sessions': {
      get: { summary: "The bearer's live sessions", security: bearerOnly, responses: { 200: json('Newest login first.', ref('SessionList')) }, standard: BEARER },
    },
    '/account/sessions/{id}': {
      delete: {
        summary: 'End one of the bearer\'s sessions ("log out that lost phone")',
        security: bearerOnly,
        parameters: [{ name: 'id', in: 'path', required: true, description: 'The session id (the `sid` claim).', schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } }],
        responses: { 204: noBody('Ended.'), 404: responseRef('NotFound') },
        standard: BEARER,
      },
    },
    '/auth/users': {
      post: {
        summary: 'Sign up (djoser)',
        description:
          registration === 'open'
            ? 'Open to anyone (REGISTRATION=open); a bearer token, when sent, is checked.'
            : 'Staff only (REGISTRATION=closed): 401 without a bearer token, 403 for a user who is not staff.',
        security: registration === 'open' ? [{}, { jwtAuth: [] }] : bearerOnly,
        request: body(object({ username: text, email: text, password: text, ...(userCreatePasswordRetype ? { re_password: text } : {}) }, ['email'])),
        responses: {
          201: json('Created; with SEND_ACTIVATION_EMAIL inactive until the mailed link is followed.', ref('User')),
          400: badRequest(['username', 'email', 'password', ...retyped('re_password', userCreatePasswordRetype)]),
          401: responseRef('Unauthorized'),
          ...(registration === 'open' ? {} : { 403: json('Not staff.', ref('PermissionDenied')) }),
        },
        standard: WITH_BODY,
      },
    },
    '/auth/users/activation': {
      post: {
        summary: "Activate with the mailed link's uid and token (djoser)",
        request: body(ref('ActivationRequest')),
        responses: {
          204: noBody('Active.'),
          400: badRequest(['uid', 'token']),
          403: json('Already active.', constantDetail('Stale token for given user.')),
          429: responseRef('Throttled'),
        },
        standard: WITH_BODY,
      },
    },
    '/auth/users/resend_activation': {
      post: {
        summary: 'Mail the activation link again (djoser)',
        description: '204 whether or not the email has an inactive account, no sooner than 1.5 s after the request.',
        request: body(ref('EmailRequest')),
        responses: { 204: noBody('Asked.'), 400: badRequest(['email']), 429: responseRef('Throttled') },
        standard: WITH_BODY,
      },
    },
    '/auth/users/reset_password': {
      post: {
        summary: 'Mail a password-reset link (djoser)',
        description: '204 whether or not the email has an account, no sooner than 1.5 s after the request.',
        request: body(ref('EmailRequest')),
        responses: { 204: noBody('Asked.'), 400: badRequest(['email']), 429: responseRef('Throttled') },
        standard: WITH_BODY,
      },
    },
    '/auth/users/reset_password_confirm': {
      post: {
        summary: "A new password with the mailed link's uid and token (djoser); every session of the user ends",
        request: body(object({ uid: text, token: text, new_password: text, ...(passwordResetConfirmRetype ? { re_new_password: text } : {}) })),
        responses: {
          204: noBody('Changed.'),
          400: badRequest(['uid', 'token', 'new_password', ...retyped('re_new_password', passwordResetConfirmRetype)]),
          429: responseRef('Throttled'),
        },
        standard: WITH_BODY,
      },
    },
    '/auth/users/me': {
      get: { summary: "The bearer's account (djoser)", security: bearerOnly, responses: { 200: json('The account.', ref('User')) }, standard: BEARER },
      put: meUpdate('Change email and names (djoser)'),
      patch: meUpdate('Change any of email and names (djoser)'),
      delete: {
        summary: "Delete the bearer's account, with its current password (djoser)",
        security: bearerOnly,
        request: body(ref('UserDeleteRequest')),
        responses: { 204: noBody('Deleted.'), 400: badRequest(['current_password']), 429: responseRef('TooManyLoginAttempts') },
        standard: BEARER_WITH_BODY,
      },
    },
    '/auth/users/set_password': {
      post: {
        summary: "Change the bearer's password (djoser); every session of the user ends",
        security: bearerOnly,
        request: body(object({ current_password: text, new_password: text, ...(setPasswordRetype ? { re_new_password: text } : {}) })),
        responses: {
          204: noBody('Changed.'),
          400: badRequest(['current_password', 'new_password', ...retyped('re_new_password', setPasswordRetype)]),
          409: json('The user changed twice while the password was being changed.', ref('Conflict')),
          429: responseRef('TooManyLoginAttempts'),
        },
        standard: BEARER_WITH_BODY,
      },
    },
    '/.well-known/jwks.json': {
      get: { summary: 'The public signing keys (JWKS)', responses: { 200: json('Cacheable for 5 minutes.', ref('Jwks')) }, standard: SERVICE },
    },
    '/.well-known/openid-configuration': {
      get: { summary: 'Where the keys are and which algorithms sign (OpenID Connect discovery)', responses: { 200: json('Cacheable for 5 minutes.', ref('OpenIdConfiguration')) }, standard: SERVICE },
    },
    '/account/whoami': {
      get: {
        summary: "An example route behind the API's authorizer: what the authorizer handed on",
        description: 'API Gateway answers 401 and 403 itself, before the route runs.',
        security: bearerOnly,
        responses: {
          200: json('The caller, as the authorizer saw it.', ref('AuthorizerContext')),
          401: json('No Authorization header (API Gateway).', ref('GatewayMessage')),
          403: json('The authorizer refused the token (API Gateway).', ref('GatewayMessage')),
          413: responseRef('PayloadTooLarge'),
          500: json('The authorizer failed (API Gateway).', ref('GatewayMessage')),
        },
        standard: {},
      },
    },
    '/api/schema': {
      get: {
        summary: 'This document (as drf-spectacular serves it)',
        responses: { 200: json('The OpenAPI 3.1 document of this deployment.', ref('OpenApiDocument'), {}, OPENAPI_MEDIA_TYPE) },
        standard: { endpoint: true },
      },
    },
  };

  function meUpdate(summary: string): Operation {
    return {
      summary,
      description: 'A changed email is verified again: with SEND_ACTIVATION_EMAIL the user is inactive (every session ends) until the link mailed to it is followed.',
      security: bearerOnly,
      request: body(ref('UserUpdateRequest'), false),
      responses: { 200: json('The account as changed.', ref('User')), 400: badRequest(['email', 'first_name', 'last_name']) },
      standard: BEARER_WITH_BODY,
    };
  }
}

/**
 * drf-spectacular's JSON renderer answers the OpenAPI Initiative's registered media type
 * (drf_spectacular/renderers.py, OpenApiJsonRenderer; SpectacularJSONAPIView answers it by default), so
 * the schema route does too; anything that reads JSON reads it.
 */
export const OPENAPI_MEDIA_TYPE = 'application/vnd.oai.openapi+json';

/** The operation object OpenAPI takes: the request's media types and the shared answers filled in. */
export function operationObject(path: string, method: Method, operation: Operation): JsonObject {
  const { standard } = operation;
  const shared: Record<string, Response> = {
    ...(standard.bearer ? { 401: responseRef('Unauthorized') } : {}),
    ...(standard.endpoint ? { 413: responseRef('PayloadTooLarge'), 500: responseRef('ServerError') } : {}),
    ...(standard.body ? { 415: responseRef('UnsupportedMediaType') } : {}),
    ...(standard.dependencies ? { 503: responseRef('ServiceUnavailable') } : {}),
  };
  const responses = { ...shared, ...operation.responses };
  return {
    operationId: operationId(path, method, operation),
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [path.split('/')[1]!.replace(/^\./, '')],
    ...(operation.parameters ? { parameters: [...operation.parameters] } : {}),
    ...(operation.security ? { security: [...operation.security] } : {}),
    ...(operation.request
      ? {
          requestBody: {
            required: operation.request.required,
            // DRF's parsers: the same fields in any of its media types.
            content: Object.fromEntries(PARSED_MEDIA_TYPES.map((mediaType) => [mediaType, { schema: operation.request!.schema }])),
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** drf-spectacular's style: the path's words, then the action (`account_sessions_list`, `auth_users_me_partial_update`). */
function operationId(path: string, method: Method, operation: Operation): string {
  const words = path
    .split('/')
    .filter((segment) => segment !== '' && !segment.startsWith('{'))
    .map((segment) => segment.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, ''));
  const list = (operation.responses[200] as { content?: { 'application/json'?: { schema?: Schema } } } | undefined)?.content?.['application/json']?.schema?.$ref === '#/components/schemas/SessionList';
  const action = { get: list ? 'list' : 'retrieve', post: 'create', put: 'update', patch: 'partial_update', delete: 'destroy' }[method];
  return [...words, action].join('_');
}
