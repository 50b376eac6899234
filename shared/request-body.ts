/**
 * Request bodies read the way DRF's parsers and serializer fields read them, so clients written against
 * simplejwt get the same 400/415 answers: JSON or form-encoded bodies, per-field error lists, CharField's
 * trimming and its "required" / "null" / "blank" / "Not a valid string." messages.
 */
import { badRequest, unsupportedMediaType, validationFailed } from './errors';
import type { HttpRequest } from './http';

export type RequestData = Readonly<Record<string, unknown>>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseBody(request: Pick<HttpRequest, 'headers' | 'body'>): RequestData {
  // DRF treats an empty body as no data at all, whatever the content type says.
  if (request.body.byteLength === 0) return {};
  const contentType = request.headers['content-type'] ?? '';
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return expectObject(parseJson(decode(request.body)));
  if (mediaType === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(decode(request.body)));
  }
  throw unsupportedMediaType(contentType.split(';', 1)[0]!.trim());
}

function decode(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw badRequest('JSON parse error - request body is not valid UTF-8');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`JSON parse error - ${parserReason(error)}`);
  }
}

/** V8 quotes a slice of the input in some messages; the reason must never echo a password back. */
function parserReason(error: unknown): string {
  const message = error instanceof Error ? error.message : 'invalid JSON';
  return message.replace(/, .*is not valid JSON$/s, '') || 'invalid JSON';
}

function expectObject(value: unknown): RequestData {
  if (value === null) throw validationFailed({ non_field_errors: ['No data provided'] });
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw validationFailed({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(value)}.`] });
  }
  return value as RequestData;
}

function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return typeof value;
}

/**
 * Required string fields with DRF CharField semantics: numbers become their string form, surrounding
 * whitespace is trimmed, and every field's problem is reported at once.
 */
export function stringFields<Name extends string>(data: RequestData, names: readonly Name[]): Record<Name, string> {
  const values = {} as Record<Name, string>;
  const errors: Record<string, string[]> = {};
  for (const name of names) {
    const result = charField(Object.hasOwn(data, name) ? data[name] : undefined, Object.hasOwn(data, name));
    if (typeof result === 'string') values[name] = result;
    else errors[name] = [result.error];
  }
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
  return values;
}

function charField(value: unknown, present: boolean): string | { error: string } {
  if (!present) return { error: 'This field is required.' };
  if (value === null) return { error: 'This field may not be null.' };
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return { error: 'Not a valid string.' };
  const trimmed = value.trim();
  return trimmed === '' ? { error: 'This field may not be blank.' } : trimmed;
}
