/** GET /api/schema/ — the OpenAPI 3.1 document of this API (drf-spectacular's SpectacularAPIView, as JSON). */
import { endpoint, ok } from '../shared/http/endpoint';
import type { JsonObject } from '../shared/http/errors';
import { OPENAPI_MEDIA_TYPE, openApiDocument } from '../shared/openapi/document';
import { settings, type Settings } from '../shared/settings';

let built: { for: Settings; document: JsonObject } | undefined;

export const handler = endpoint({
  name: 'Spectacular API',
  methods: ['GET'],
  async handle() {
    const current = settings();
    if (built?.for !== current) built = { for: current, document: openApiDocument(current) };
    return {
      ...ok(built.document),
      headers: { 'Content-Type': OPENAPI_MEDIA_TYPE, 'Content-Disposition': 'inline; filename="schema.json"', 'Cache-Control': 'public, max-age=300' },
    };
  },
});
