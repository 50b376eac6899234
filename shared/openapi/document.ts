/**
 * The OpenAPI 3.1 document of this API, as drf-spectacular would describe the Django project it stands in
 * for: every route and method, request and response bodies, and every error body the handlers answer.
 * Built from the settings, since some answers depend on them (cookie mode, rotation, djoser's options).
 */
import type { JsonObject } from '../http/errors';
import type { Settings } from '../settings';
import { operationObject, operations } from './operations';
import { HEADERS, RESPONSES } from './responses';
import { SCHEMAS } from './schemas';

export { OPENAPI_MEDIA_TYPE } from './operations';

/** The API's version (package.json's). */
export const API_VERSION = '0.1.0';

/**
 * The path clients call for a route path of infra/routes.ts: with the trailing slash, as Django's URLs end
 * (`/api/token/`), but for the well-known documents, whose names are fixed (RFC 8615; the discovery
 * document's `jwks_uri`). Every route answers both spellings.
 */
export function documentPath(routePath: string): string {
  return routePath.startsWith('/.well-known/') ? routePath : `${routePath}/`;
}

/** A new object each time: the parts it shares with other documents must not change if a caller changes it. */
export function openApiDocument(settings: Settings): JsonObject {
  return structuredClone(build(settings));
}

function build(settings: Settings): JsonObject {
  const server = serverUrl(settings);
  const paths: Record<string, JsonObject> = {};
  for (const [routePath, methods] of Object.entries(operations(settings))) {
    const path = documentPath(routePath);
    paths[path] = Object.fromEntries(Object.entries(methods).map(([method, operation]) => [method, operationObject(path, method as never, operation)]));
  }
  const cookie = settings.authCookie;
  return {
    openapi: '3.1.1',
    info: {
      title: 'serverless-simplejwt',
      version: API_VERSION,
      description:
        "JWT authentication on djangorestframework-simplejwt's HTTP contract, with djoser's account endpoints. Every path also answers without its trailing slash, OPTIONS with DRF's metadata (components.schemas.Metadata), HEAD as GET, and a method it does not serve with 405 (components.responses.MethodNotAllowed).",
    },
    ...(server ? { servers: [{ url: server }] } : {}),
    paths,
    components: {
      schemas: SCHEMAS,
      responses: RESPONSES,
      headers: HEADERS,
      securitySchemes: {
        // Exactly as drf-spectacular declares simplejwt's JWTAuthentication (contrib/rest_framework_simplejwt.py).
        jwtAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        ...(cookie
          ? {
              refreshCookie: { type: 'apiKey', in: 'cookie', name: cookie.name, description: 'Cookie mode: the HttpOnly refresh cookie, sent by the browser to refresh and logout only.' },
              csrfHeader: { type: 'apiKey', in: 'header', name: 'X-CSRFToken', description: `The value of the ${cookie.csrfCookieName} cookie (Django's double submit), required with the refresh cookie.` },
            }
          : {}),
      },
    },
  };
}

/** The API's own URL (API_URL), else ISSUER when it is one; none leaves clients the document's own origin. */
function serverUrl({ apiUrl, issuer }: Settings): string | undefined {
  if (apiUrl) return apiUrl.replace(/\/+$/, '');
  if (issuer && /^https?:\/\//.test(issuer)) return issuer.replace(/\/+$/, '');
  return undefined;
}
