/**
 * The JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of the bodies this API reads and answers. Error
 * bodies are as exact as the code makes them: fixed texts are `const`, texts with a number or a name in
 * them are patterns, so a test that checks answers against them notices any drift.
 */
import { methodNotAllowed, notAuthenticated, notFound, payloadTooLarge, serviceUnavailable, type JsonObject } from '../http/errors';
import { MAX_BODY_BYTES } from '../http/request';

export type Schema = JsonObject;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const text = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const constant = (value: string): Schema => ({ type: 'string', const: value });
const matching = (pattern: string): Schema => ({ type: 'string', pattern });

/** An object of exactly these properties; `optional` ones may be absent. */
export function object(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}

/** `{"detail": ...}`, DRF's body for an error without fields. */
export const detail = (schema: Schema): Schema => object({ detail: schema });
const detailWithCode = (message: Schema, code: string): Schema => object({ detail: message, code: constant(code) });

/**
 * DRF's ValidationError of a serializer: each field named (or `non_field_errors`) with its list of
 * messages. `fields` are the request's fields: no other name appears.
 */
export function fieldErrors(fields: readonly string[]): Schema {
  return {
    type: 'object',
    description: 'Per-field lists of messages (DRF ValidationError); `non_field_errors` for the body as a whole.',
    minProperties: 1,
    propertyNames: { enum: [...fields, 'non_field_errors'] },
    additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 },
  };
}

/** simplejwt's TokenError messages (5.5 wording), and the blacklist's. */
const TOKEN_PROBLEMS = ['Token is invalid', 'Token is expired', 'Token has wrong type', 'Token is blacklisted'];

/** Bodies that do not depend on settings, by component name. */
export const SCHEMAS: Record<string, Schema> = {
  TokenObtainPairRequest: object({ username: text(), password: text() }),
  TokenVerifyRequest: object({ token: text('An access or a refresh token.') }),
  Empty: { type: 'object', additionalProperties: false },
  Profile: object({ id: text('The user id (a string, as simplejwt 5.5.1 emits it).'), username: text(), email: text('May be blank.') }),
  User: object({ email: text('May be blank.'), id: text(), username: text() }),
  PasswordChangeRequest: object({ old_password: text(), new_password: text() }),
  ActivationRequest: object({ uid: text('The user id in unpadded base64url, from the mailed link.'), token: text('From the mailed link.') }),
  EmailRequest: object({ email: text() }),
  UserUpdateRequest: object({ email: text(), first_name: text(), last_name: text() }, ['email', 'first_name', 'last_name']),
  UserDeleteRequest: object({ current_password: text() }),
  Session: object({
    id: matching('^[0-9a-f]{32}$'),
    logged_in_at: { type: 'string', format: 'date-time' },
    last_refreshed_at: { type: ['string', 'null'], format: 'date-time', description: 'null until the first refresh.' },
    expires_at: { type: 'string', format: 'date-time', description: 'The end of the session (SESSION_LIFETIME after login), however often it is refreshed.' },
    client: text('The user agent at login, cut to 160 characters.'),
    current: { type: 'boolean', description: "The caller's own session." },
  }),
  SessionList: { type: 'array', items: ref('Session'), description: 'Live sessions, newest login first.' },
  Jwk: {
    type: 'object',
    description: 'A public key (RFC 7517); HS256 keys are secret and never listed.',
    properties: { kty: text(), kid: text(), alg: text(), use: constant('sig') },
    required: ['kty', 'kid', 'alg', 'use'],
    additionalProperties: { type: 'string' },
  },
  Jwks: object({ keys: { type: 'array', items: ref('Jwk') } }),
  OpenIdConfiguration: object({
    issuer: { type: 'string', format: 'uri' },
    jwks_uri: { type: 'string', format: 'uri' },
    token_endpoint: { type: 'string', format: 'uri' },
    response_types_supported: { type: 'array', items: text() },
    subject_types_supported: { type: 'array', items: text() },
    id_token_signing_alg_values_supported: { type: 'array', items: text() },
    claims_supported: { type: 'array', items: text() },
  }),
  AuthorizerContext: {
    type: 'object',
    description: "What the API's authorizer handed on: the Lambda authorizer's context (user_id, username, email, is_staff, full_name, session_id) or the JWT authorizer's claims.",
  },
  OpenApiDocument: {
    type: 'object',
    properties: { openapi: matching('^3\\.1\\.\\d+$'), info: { type: 'object' }, paths: { type: 'object' } },
    required: ['openapi', 'info', 'paths'],
  },
  Metadata: {
    ...object({ name: text(), description: text(), renders: { type: 'array', items: text() }, parses: { type: 'array', items: text() } }),
    description: "DRF's SimpleMetadata, without the per-field `actions`: every path answers it to OPTIONS (not listed as operations, as drf-spectacular lists none).",
  },

  // Errors.
  Detail: detail(text()),
  ParseError: detail(matching('^(JSON|Multipart form) parse error - ')),
  TokenNotValid: detailWithCode({ enum: TOKEN_PROBLEMS }, 'token_not_valid'),
  AuthenticationFailed: {
    description: "simplejwt's JWTAuthentication (and this service's session checks) refusing a bearer token.",
    oneOf: [
      detail(constant(notAuthenticated().body.detail as string)),
      detailWithCode(constant('Authorization header must contain two space-delimited values'), 'bad_authorization_header'),
      object({
        detail: constant('Given token not valid for any token type'),
        code: constant('token_not_valid'),
        messages: {
          type: 'array',
          minItems: 1,
          items: object({ token_class: constant('AccessToken'), token_type: constant('access'), message: { enum: TOKEN_PROBLEMS } }),
        },
      }),
      detailWithCode(constant('Token contained no recognizable user identification'), 'token_not_valid'),
      detailWithCode(constant('User not found'), 'user_not_found'),
      detailWithCode(constant('User is inactive'), 'user_inactive'),
    ],
  },
  NotFound: detail(constant(notFound().body.detail as string)),
  MethodNotAllowed: detail(matching(`^${escape(methodNotAllowed('METHOD').body.detail as string).replace('METHOD', '[A-Z]+')}$`)),
  UnsupportedMediaType: detail(matching('^Unsupported media type ".*" in request\\.$')),
  PayloadTooLarge: {
    oneOf: [detail(constant(payloadTooLarge(MAX_BODY_BYTES).body.detail as string)), ref('GatewayMessage')],
    description: `Above ${MAX_BODY_BYTES} bytes the service refuses the body; above 10 MB API Gateway does, with its own message.`,
  },
  TooManyLoginAttempts: detailWithCode(matching('^Too many failed login attempts\\. Try again in \\d+ seconds\\.$'), 'too_many_attempts'),
  Throttled: detail(matching('^Request was throttled\\. Expected available in \\d+ seconds\\.$')),
  CsrfFailed: detail(matching('^CSRF Failed: ')),
  PermissionDenied: detail(constant('You do not have permission to perform this action.')),
  Conflict: detail(constant('The account changed while the password was being changed. Try again.')),
  ServiceUnavailable: object(Object.fromEntries(Object.entries(serviceUnavailable().body).map(([name, value]) => [name, constant(value as string)]))),
  ServerError: detail(constant('A server error occurred.')),
  GatewayMessage: {
    ...object({ message: text() }),
    description: "API Gateway's own answers, which no handler makes: 404 Not Found (no route), 413, and the authorizer's 401 and 403.",
  },
};

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
