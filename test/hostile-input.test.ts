/**
 * Every handler, driven by random methods, headers and bodies (fast-check): never a 5xx, always a JSON
 * body, whatever arrives. Runs against DynamoDB Local like everything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../infra/routes';
import type { LambdaHandler } from '../shared/http/endpoint';
import { OPENAPI_MEDIA_TYPE } from '../shared/openapi/document';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { invoke } from './support/invoke';

const handlers = Object.fromEntries(
  await Promise.all(ROUTES.map(async (route) => [route.name, ((await import(`../functions/${route.name}.ts`)) as { handler: LambdaHandler }).handler] as const)),
);

const { access, refresh } = await issueTokenPair({ user_id: 'fuzz-user', sid: 'f'.repeat(32), auth_time: Math.floor(Date.now() / 1000), gen: 0 });

const tokenish = fc.oneof(
  fc.constantFrom(access, refresh, `${access}x`, `${refresh} `, access.replace(/\./g, ''), ''),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(fc.base64String({ maxLength: 60 }), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')),
);

const fieldValue = fc.oneof(tokenish, fc.jsonValue({ maxDepth: 3 }), fc.constant(null), fc.integer(), fc.boolean());

const body = fc.oneof(
  fc.constant(undefined),
  // Well-formed shapes, so the deeper paths (hashing, DynamoDB, token checks) run too.
  {
    arbitrary: fc.record({ username: fc.string({ minLength: 1, maxLength: 200 }), password: fc.string({ minLength: 1, maxLength: 200 }) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ refresh: tokenish, token: tokenish, old_password: fc.string({ minLength: 1 }), new_password: fc.string({ minLength: 1 }) }),
    weight: 3,
  },
  fc.record({ username: fieldValue, password: fieldValue, refresh: fieldValue, token: fieldValue, old_password: fieldValue, new_password: fieldValue }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.nat({ max: 2000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
);

const headerValue: fc.Arbitrary<string> = fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 50 }), fc.constant('x'.repeat(20_000)));

const headers = fc.record(
  {
    'content-type': fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 4 },
      fc.constantFrom('application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', 'text/plain', '*/*', 'application/json; charset=latin-1', ''),
      headerValue,
    ),
    authorization: fc.oneof(tokenish.map((token) => `Bearer ${token}`), headerValue, fc.constant(`Bearer ${access}`)),
    origin: headerValue,
    'x-forwarded-for': headerValue,
  },
  { requiredKeys: ['content-type'] },
);

const method = fc.oneof({ arbitrary: fc.constant('POST'), weight: 3 }, fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'FOO'));

describe('hostile input', () => {
  for (const route of ROUTES) {
    // obtain hashes a password per call (a few hundred ms): fewer runs there, many elsewhere.
    const numRuns = route.name === 'obtain' || route.name === 'password' ? 25 : 150;
    it(`${route.name}: no 5xx and a JSON body, whatever the method, headers and body`, async () => {
      await fc.assert(
        fc.asyncProperty(method, headers, body, async (m, h, b) => {
          const answer = await invoke(handlers[route.name]!, { method: m, path: route.path, headers: h as Record<string, string>, body: b });
          expect(answer.status).toBeLessThan(500);
          // (Which of the two, the OpenAPI document says, and invoke() checks.)
          expect(['application/json', ...(route.name === 'schema' ? [OPENAPI_MEDIA_TYPE] : [])]).toContain(answer.headers['content-type']);
          expect(answer.body).toBeTypeOf('object');
        }),
        { numRuns },
      );
    });
  }
});
