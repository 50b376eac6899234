/**
 * The API's routes, one Lambda handler each, and the route keys API Gateway is given for them: read by the
 * CDK construct, and by the local runner, which matches requests to them as API Gateway does.
 *
 * Route paths may not end in "/" (CDK and the service refuse them), and whether an HTTP API delivers
 * "/api/token/" to the route "/api/token" is reported both ways (aws-powertools/powertools-lambda-python#1552
 * says it does; storacha/w3infra#166 had to add a "/metrics/{proxy+}" route for a client that sends the
 * slash). So every route has a twin, "<path>/{proxy+}", with the same integration and authorization: the
 * slash reaches the handler either way, and the handler answers the JSON 404 to a twin request with more
 * than the slash after the path (shared/http/endpoint.ts).
 */
export interface Route {
  /** Names the function: functions/<name>.ts. */
  readonly name:
    | 'obtain'
    | 'refresh'
    | 'verify'
    | 'profile'
    | 'logout'
    | 'password'
    | 'logout-all'
    | 'sessions'
    | 'end-session'
    | 'users-create'
    | 'activation'
    | 'resend-activation'
    | 'reset-password'
    | 'reset-password-confirm'
    | 'me'
    | 'set-password'
    | 'jwks'
    | 'openid-configuration'
    | 'whoami'
    | 'schema';
  /** API Gateway's syntax: a `{name}` segment matches one segment and is handed on in pathParameters. */
  readonly path: string;
  /** The methods its handler serves (it answers 405 to others); checked against each handler's Allow header. */
  readonly methods: readonly ('GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE')[];
  /**
   * Behind the API's authorizer (functions/authorizer.ts), as every route a user adds is by default. The
   * service's own routes are public and check tokens themselves, as simplejwt's views do.
   */
  readonly protected?: boolean;
  /** Runs the password hash (scrypt) on some request: it gets the hashing memory size, a full vCPU (infra/cdk/auth-api.ts). */
  readonly hashesPasswords?: boolean;
}

export const ROUTES: readonly Route[] = [
  { name: 'obtain', path: '/api/token', methods: ['POST'], hashesPasswords: true },
  { name: 'refresh', path: '/api/token/refresh', methods: ['POST'] },
  { name: 'verify', path: '/api/token/verify', methods: ['POST'] },
  { name: 'profile', path: '/account/profile', methods: ['GET'] },
  { name: 'logout', path: '/account/logout', methods: ['POST'] },
  { name: 'password', path: '/account/password', methods: ['POST'], hashesPasswords: true },
  { name: 'logout-all', path: '/account/logout-all', methods: ['POST'] },
  { name: 'sessions', path: '/account/sessions', methods: ['GET'] },
  { name: 'end-session', path: '/account/sessions/{id}', methods: ['DELETE'] },
  // Accounts by email, on djoser's contract.
  { name: 'users-create', path: '/auth/users', methods: ['POST'], hashesPasswords: true },
  { name: 'activation', path: '/auth/users/activation', methods: ['POST'] },
  { name: 'resend-activation', path: '/auth/users/resend_activation', methods: ['POST'] },
  { name: 'reset-password', path: '/auth/users/reset_password', methods: ['POST'] },
  { name: 'reset-password-confirm', path: '/auth/users/reset_password_confirm', methods: ['POST'], hashesPasswords: true },
  { name: 'me', path: '/auth/users/me', methods: ['GET', 'PUT', 'PATCH', 'DELETE'], hashesPasswords: true },
  { name: 'set-password', path: '/auth/users/set_password', methods: ['POST'], hashesPasswords: true },
  { name: 'jwks', path: '/.well-known/jwks.json', methods: ['GET'] },
  { name: 'openid-configuration', path: '/.well-known/openid-configuration', methods: ['GET'] },
  // An example of a protected route: it answers with what the authorizer passed on.
  { name: 'whoami', path: '/account/whoami', methods: ['GET'], protected: true },
  // The OpenAPI document, at drf-spectacular's path.
  { name: 'schema', path: '/api/schema', methods: ['GET'] },
];

/** One route key of the API: `METHOD path`, with or without the API's authorizer. */
export interface RouteKey {
  readonly method: 'ANY' | 'OPTIONS';
  readonly path: string;
  readonly route: Route;
  readonly authorized: boolean;
}

const PROXY = '{proxy+}';

/**
 * Each route as ANY (so a wrong method reaches the handler and gets simplejwt's 405) and its `{proxy+}`
 * twin; a protected route also as OPTIONS without the authorizer, so a browser's preflight (which carries
 * no Authorization header) reaches the handler instead of a 401 (AWS's CORS page on routes with authorizers).
 */
export const ROUTE_KEYS: readonly RouteKey[] = ROUTES.flatMap((route) =>
  [route.path, `${route.path}/${PROXY}`].flatMap((path) => [
    { method: 'ANY' as const, path, route, authorized: route.protected === true },
    ...(route.protected ? [{ method: 'OPTIONS' as const, path, route, authorized: false }] : []),
  ]),
);

export interface RouteMatch {
  readonly key: RouteKey;
  readonly route: Route;
  readonly pathParameters?: Record<string, string>;
}

/** The route key API Gateway selects for a request to this API. */
export function findRoute(path: string, method = 'GET'): RouteMatch | undefined {
  const selected = selectRouteKey(ROUTE_KEYS, path, method);
  return selected && { ...selected, route: selected.key.route };
}

/**
 * The route key an HTTP API with these keys selects: a full match before a greedy `{proxy+}` match (the
 * longer path first), a key for the method before ANY
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html).
 */
export function selectRouteKey<Key extends { readonly method: string; readonly path: string }>(
  keys: readonly Key[],
  path: string,
  method: string,
): { key: Key; pathParameters?: Record<string, string> } | undefined {
  const candidates = keys.flatMap((key) => {
    if (key.method !== 'ANY' && key.method !== method.toUpperCase()) return [];
    const pathParameters = match(key.path, path);
    return pathParameters ? [{ key, pathParameters }] : [];
  });
  const rank = ({ key }: { key: Key }) => (key.path.endsWith(PROXY) ? 1_000_000 - key.path.length : 0) * 2 + (key.method === 'ANY' ? 1 : 0);
  const [best] = candidates.sort((a, b) => rank(a) - rank(b));
  if (!best) return undefined;
  return Object.keys(best.pathParameters).length > 0 ? best : { key: best.key };
}

/** The path parameters when `path` matches the route path `pattern`; `{proxy+}` takes the rest, even nothing after its slash. */
function match(pattern: string, path: string): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  const parts = pattern.split('/').slice(1);
  const segments = path.split('/').slice(1);
  for (const [i, part] of parts.entries()) {
    if (part === PROXY) {
      parameters.proxy = segments.slice(i).join('/');
      return parameters;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (part !== segment) return undefined;
    } else {
      if (segment === '') return undefined;
      try {
        parameters[name] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    }
  }
  return segments.length === parts.length ? parameters : undefined;
}
