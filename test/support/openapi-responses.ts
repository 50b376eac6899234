/**
 * Every response the tests receive, checked against the OpenAPI document (shared/openapi/), so the document
 * cannot drift from the code: the status must be declared for the operation of the method and path, the
 * body must match its schema (ajv, JSON Schema 2020-12), the content type its media type, and the headers
 * it declares required must be there and match. A mismatch throws, failing the test that received it.
 *
 * Answers that are not an operation's are checked by a named rule each, never skipped silently (RULES).
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Route } from '../../infra/routes';
import { isPreflight } from '../../shared/http/cors';
import type { JsonObject } from '../../shared/http/errors';
import { documentPath, openApiDocument } from '../../shared/openapi/document';
import { loadSettings, SettingsError, type Settings } from '../../shared/settings';

/** One request and its answer, as a test saw it. */
export interface Exchange {
  /** In-process (a handler called with an event), or over HTTP (the local runner). */
  readonly via: 'handler' | 'http';
  readonly method: string;
  readonly path: string;
  /** Header names in lower case. */
  readonly requestHeaders: Readonly<Record<string, string | undefined>>;
  /** The route whose handler answered; undefined when none did (HTTP: no route takes the path). */
  readonly route: Route | undefined;
  /** What a route's `{proxy+}` twin took after the route's path. */
  readonly proxy: string | undefined;
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text ('' for none). */
  readonly body: string;
}

export class OpenApiMismatch extends Error {
  override name = 'OpenApiMismatch';
}

/** The rules for answers that are not an operation's, by name (they appear in mismatch messages). */
export const RULES = {
  preflight: 'CORS preflight: 204 without a body, from the handler or API Gateway (not an operation)',
  exampleApp: "npm start's example web app (GET / and its files): not the API",
  noRoute: "no route takes the path: API Gateway's 404 (components.schemas.GatewayMessage)",
  twin: "more than the trailing slash after a route's path: the handler's 404 (components.responses.NotFound)",
  head: 'HEAD: checked as GET (over HTTP without a body)',
  options: "OPTIONS: DRF's metadata (components.schemas.Metadata), or an answer of the path's operations",
  otherMethod: "a method the path does not serve: 405 (components.responses.MethodNotAllowed), or an answer of the path's operations",
} as const;

const EXAMPLE_APP_PATHS = new Set(['/', '/app.js']);

/**
 * Checks an answer against `document` (over HTTP, the one the server serves), by default the document a
 * handler loaded now would serve.
 */
export function checkExchange(exchange: Exchange, document?: JsonObject): void {
  const spec = document ? compiledDocument(document) : compiled(currentSettings());
  const method = exchange.method.toUpperCase();
  const where = `${method} ${exchange.path} (${exchange.via}) answered ${exchange.status}`;
  const fail = (problem: string): never => {
    throw new OpenApiMismatch(`OpenAPI mismatch: ${where}: ${problem}\n  body: ${exchange.body.slice(0, 500) || '(none)'}`);
  };

  if (isPreflight(method, exchange.requestHeaders)) {
    if (exchange.status !== 204 || exchange.body !== '') fail(`${RULES.preflight}, expected`);
    return;
  }
  if (exchange.via === 'http' && method === 'GET' && EXAMPLE_APP_PATHS.has(exchange.path) && !isJson(exchange.headers)) return;
  const route = exchange.route;
  if (!route) {
    if (exchange.via === 'handler') fail('the handler serves no route of infra/routes.ts');
    return spec.check(exchange, { pointer: '#/components/schemas/GatewayMessage', status: 404, rule: RULES.noRoute }, fail);
  }
  const pathItem = spec.pathItem(route);
  if (exchange.proxy && exchange.status === 404) return spec.check(exchange, { response: '#/components/responses/NotFound', rule: RULES.twin }, fail);

  const served = method === 'HEAD' ? 'get' : method.toLowerCase();
  if (method === 'OPTIONS' || !pathItem.operations[served]) {
    // Not an operation: the rule's own answer, or one the path's operations declare for that status
    // (a bearer route authenticates first: 401; the example route answers any method).
    const rule = method === 'OPTIONS' ? RULES.options : RULES.otherMethod;
    const own: Target | undefined =
      method === 'OPTIONS' ? (exchange.status === 200 ? { pointer: '#/components/schemas/Metadata' } : undefined) : exchange.status === 405 ? { response: '#/components/responses/MethodNotAllowed' } : undefined;
    const declared = Object.keys(pathItem.operations)
      .filter((name) => pathItem.operations[name]!.responses[String(exchange.status)])
      .map((name): Target => ({ response: `${pathItem.pointer}/${name}/responses/${exchange.status}` }));
    return spec.checkAny(exchange, [...(own ? [own] : []), ...declared], rule, fail);
  }
  const operation = pathItem.operations[served]!;
  if (!operation.responses[String(exchange.status)]) {
    fail(`${served} ${pathItem.path} declares ${Object.keys(operation.responses).join(', ')}, not ${exchange.status}`);
  }
  spec.check(exchange, { response: `${pathItem.pointer}/${served}/responses/${exchange.status}`, ...(method === 'HEAD' ? { rule: RULES.head } : {}) }, fail);
}

/** The settings a handler loaded now would read (the tests stub the environment and reload handlers). */
function currentSettings(): Settings {
  try {
    return loadSettings(process.env);
  } catch (error) {
    // A test of a bad setting: its handlers answer 500, which every operation declares; any document will do.
    if (error instanceof SettingsError) return loadSettings({});
    throw error;
  }
}

const isJson = (headers: Readonly<Record<string, string>>) => /json/i.test(headers['content-type'] ?? '');
const mediaTypeOf = (headers: Readonly<Record<string, string>>) => (headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
const pointerTo = (...parts: string[]) => `#/${parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

interface Target {
  /** A response object of the document (followed through its $ref). */
  readonly response?: string;
  /** Or just a body schema, with the status it must come with. */
  readonly pointer?: string;
  readonly status?: number;
  readonly rule?: string;
}

interface PathItem {
  readonly path: string;
  readonly pointer: string;
  readonly operations: Record<string, { responses: Record<string, unknown> }>;
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
// The document's own fields, around the schemas: annotations to ajv, which compiles only the schemas they hold.
ajv.addVocabulary(['openapi', 'info', 'servers', 'paths', 'components', 'security', 'tags', 'webhooks', 'jsonSchemaDialect', 'externalDocs']);

const byDocument = new Map<string, CompiledDocument>();
const bySettings = new Map<string, CompiledDocument>();

function compiled(settings: Settings): CompiledDocument {
  const settingsKey = JSON.stringify(settings);
  let found = bySettings.get(settingsKey);
  if (!found) {
    found = compiledDocument(openApiDocument(settings));
    bySettings.set(settingsKey, found);
  }
  return found;
}

function compiledDocument(document: JsonObject): CompiledDocument {
  const key = JSON.stringify(document);
  let found = byDocument.get(key);
  if (!found) {
    found = new CompiledDocument(document, `https://openapi.test/${byDocument.size}`);
    byDocument.set(key, found);
  }
  return found;
}

class CompiledDocument {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    readonly document: JsonObject,
    private readonly id: string,
  ) {
    ajv.addSchema({ ...document, $id: id });
  }

  pathItem(route: Route): PathItem {
    const path = documentPath(route.path);
    const operations = (this.document.paths as Record<string, PathItem['operations']>)[path];
    if (!operations) throw new OpenApiMismatch(`OpenAPI mismatch: the document has no path ${path} for the route ${route.name}`);
    return { path, pointer: pointerTo('paths', path), operations };
  }

  /** Passes when the answer matches one of `targets`. */
  checkAny(exchange: Exchange, targets: readonly Target[], rule: string, fail: (problem: string) => never): void {
    const problems: string[] = [];
    for (const target of targets) {
      try {
        return this.check(exchange, target, (problem) => {
          throw new OpenApiMismatch(problem);
        });
      } catch (error) {
        if (!(error instanceof OpenApiMismatch)) throw error;
        problems.push(error.message);
      }
    }
    fail(`${problems.length > 0 ? problems.join('; or ') : `nothing of ${exchange.path} declares ${exchange.status}`} [${rule}]`);
  }

  /** The status, the content type and body, and the declared headers of an answer against `target`. */
  check(exchange: Exchange, target: Target, fail: (problem: string) => never): void {
    const rule = target.rule ? ` [${target.rule}]` : '';
    if (target.pointer) {
      if (target.status !== undefined && exchange.status !== target.status) fail(`expected ${target.status}${rule}`);
      if (!isJson(exchange.headers)) fail(`content-type ${exchange.headers['content-type']}, expected JSON${rule}`);
      return this.validateBody(exchange, target.pointer, rule, fail);
    }
    const { value: response, pointer } = this.resolve(target.response!);
    const content = response.content as Record<string, unknown> | undefined;
    const bodyExpected = !(exchange.via === 'http' && exchange.method.toUpperCase() === 'HEAD');
    if (!content) {
      if (exchange.body !== '') fail(`a body, where ${pointer} declares none${rule}`);
    } else if (bodyExpected) {
      const mediaType = mediaTypeOf(exchange.headers);
      if (!(mediaType in content)) fail(`content-type "${mediaType}", where ${pointer} declares ${Object.keys(content).join(', ')}${rule}`);
      this.validateBody(exchange, `${pointer}/content/${pointerTo(mediaType).slice(2)}/schema`, rule, fail);
    }
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, JsonObject>)) {
      const { value, pointer: headerPointer } = this.resolveObject(header, `${pointer}/headers/${pointerTo(name).slice(2)}`);
      const sent = exchange.headers[name.toLowerCase()];
      if (sent === undefined) {
        if (value.required === true) fail(`no ${name} header, which ${headerPointer} requires${rule}`);
        continue;
      }
      const validate = this.validator(`${headerPointer}/schema`);
      if (!validate(sent)) fail(`header ${name}: ${JSON.stringify(sent)} ${ajv.errorsText(validate.errors, { dataVar: name })}${rule}`);
    }
  }

  private validateBody(exchange: Exchange, pointer: string, rule: string, fail: (problem: string) => never): void {
    let body: unknown;
    try {
      body = JSON.parse(exchange.body);
    } catch {
      fail(`a body that is not JSON, where ${pointer} declares one${rule}`);
    }
    const validate = this.validator(pointer);
    if (!validate(body)) fail(`${ajv.errorsText(validate.errors, { dataVar: 'body' })} (schema ${pointer})${rule}`);
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = ajv.getSchema(`${this.id}${pointer}`);
      if (!validate) throw new OpenApiMismatch(`OpenAPI mismatch: no schema at ${pointer}`);
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  /** The object at a pointer into the document, following a $ref. */
  private resolve(pointer: string): { value: JsonObject; pointer: string } {
    const value = pointer
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], this.document) as JsonObject | undefined;
    if (!value) throw new OpenApiMismatch(`OpenAPI mismatch: nothing at ${pointer}`);
    return this.resolveObject(value, pointer);
  }

  private resolveObject(value: JsonObject, pointer: string): { value: JsonObject; pointer: string } {
    return typeof value.$ref === 'string' ? this.resolve(value.$ref) : { value, pointer };
  }
}
