/**
 * The API's routes, one Lambda handler each: read by the local runner now and by the CDK stack.
 * Paths are declared without a trailing slash (API Gateway HTTP API route paths may not end in "/");
 * requests with the slash reach the same route, in the cloud and in the local runner.
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
    | 'jwks'
    | 'openid-configuration'
    | 'whoami';
  /** API Gateway's syntax: a `{name}` segment matches one segment and is handed on in pathParameters. */
  readonly path: string;
  /**
   * Behind the API's authorizer (functions/authorizer.ts), as every route a user adds is by default. The
   * service's own routes are public and check tokens themselves, as simplejwt's views do.
   */
  readonly protected?: boolean;
}

export const ROUTES: readonly Route[] = [
  { name: 'obtain', path: '/api/token' },
  { name: 'refresh', path: '/api/token/refresh' },
  { name: 'verify', path: '/api/token/verify' },
  { name: 'profile', path: '/account/profile' },
  { name: 'logout', path: '/account/logout' },
  { name: 'password', path: '/account/password' },
  { name: 'logout-all', path: '/account/logout-all' },
  { name: 'sessions', path: '/account/sessions' },
  { name: 'end-session', path: '/account/sessions/{id}' },
  { name: 'jwks', path: '/.well-known/jwks.json' },
  { name: 'openid-configuration', path: '/.well-known/openid-configuration' },
  // An example of a protected route: it answers with what the authorizer passed on.
  { name: 'whoami', path: '/account/whoami', protected: true },
];

/** What browsers may send cross-origin, for the configured CORS origins (local runner and cloud alike). */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type'];
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'] as const;

export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters?: Record<string, string>;
}

/** "/api/token/" and "/api/token" are one route; "/api/token//" is not. */
export function findRoute(path: string): RouteMatch | undefined {
  const segments = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const matches = pattern.every((part, i) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) return part === segments[i];
      if (segments[i] === '') return false;
      try {
        parameters[name] = decodeURIComponent(segments[i]!);
      } catch {
        return false;
      }
      return true;
    });
    if (matches) return { route, ...(Object.keys(parameters).length > 0 ? { pathParameters: parameters } : {}) };
  }
  return undefined;
}
