/**
 * Request bodies read the way DRF's parsers and serializer fields read them, so clients written against
 * simplejwt get the same 400/415 answers: JSON, form-encoded or multipart bodies, per-field error lists,
 * CharField's trimming and its "required" / "null" / "blank" / "Not a valid string." messages.
 */
import { badRequest, unsupportedMediaType, validationFailed } from './errors';
import type { HttpRequest } from './request';

export type RequestData = Readonly<Record<string, unknown>>;

export const PARSED_MEDIA_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'] as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function parseBody(request: Pick<HttpRequest, 'headers' | 'body'>): Promise<RequestData> {
  // DRF treats an empty body as no data at all, whatever the content type says.
  if (request.body.byteLength === 0) return {};
  const contentType = request.headers['content-type'] ?? '';
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  // DRF tries its parsers in order (JSON, form, multipart); a wildcard type matches the first.
  if (mediaType === 'application/json' || mediaType === '*/*' || mediaType === 'application/*') {
    return expectObject(parseJson(decode(request.body)));
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(decode(request.body)));
  }
  if (mediaType === 'multipart/form-data') return parseMultipart(contentType, request.body);
  throw unsupportedMediaType(contentType.split(';', 1)[0]!.trim());
}

/** Multipart bodies through the platform's own parser (undici's FormData); file parts are not strings. */
async function parseMultipart(contentType: string, body: Buffer): Promise<RequestData> {
  let form: FormData;
  try {
    form = await new Request('http://localhost/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) }).formData();
  } catch {
    throw badRequest('Multipart form parse error - the body or its boundary is malformed');
  }
  const data: Record<string, unknown> = {};
  for (const [name, value] of form) data[name] = typeof value === 'string' ? value : { file: true };
  return data;
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
 * No field of this API needs more: tokens are under a kilobyte, usernames at most 150 characters. A longer
 * value is refused before it reaches a hash or a parser.
 */
export const MAX_FIELD_LENGTH = 4096;

/**
 * Required string fields with DRF CharField semantics: numbers become their string form, surrounding
 * whitespace is trimmed, and every field's problem is reported at once.
 */
export function stringFields<Name extends string>(data: RequestData, names: readonly Name[]): Record<Name, string> {
  return readFields(data, names, []) as Record<Name, string>;
}

/**
 * Required fields as stringFields, and optional ones that may be absent (undefined) or blank (DRF's
 * `required=False, allow_blank=True`). Every field's problem is reported at once, plus `more` (problems
 * found by other field-level checks), as a DRF serializer reports its field errors.
 */
export function readFields<Required extends string, Optional extends string>(
  data: RequestData,
  required: readonly Required[],
  optional: readonly Optional[],
  more: Record<string, string[]> = {},
): Record<Required, string> & Partial<Record<Optional, string>> {
  const values: Record<string, string> = {};
  const errors: Record<string, string[]> = {};
  for (const name of [...required, ...optional]) {
    const present = Object.hasOwn(data, name);
    const isOptional = (optional as readonly string[]).includes(name);
    if (!present && isOptional) continue;
    const result = charField(present ? data[name] : undefined, present, isOptional);
    if (typeof result === 'string') values[name] = result;
    else errors[name] = [result.error];
  }
  for (const [name, problems] of Object.entries(more)) if (!errors[name]) errors[name] = problems;
  if (Object.keys(errors).length > 0) throw validationFailed(errors);
  return values as Record<Required, string> & Partial<Record<Optional, string>>;
}

function charField(value: unknown, present: boolean, allowBlank = false): string | { error: string } {
  if (!present) return { error: 'This field is required.' };
  if (value === null) return { error: 'This field may not be null.' };
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return { error: 'Not a valid string.' };
  const trimmed = value.trim();
  if (trimmed === '' && !allowBlank) return { error: 'This field may not be blank.' };
  if (trimmed.length > MAX_FIELD_LENGTH) return { error: `Ensure this field has no more than ${MAX_FIELD_LENGTH} characters.` };
  // Also a security matter: scrypt keys HMAC with the password, and HMAC pads short keys with zero
  // bytes, so "secret" and "secret\0" would hash alike.
  if (trimmed.includes('\0')) return { error: 'Null characters are not allowed.' };
  const surrogate = /\p{Cs}/u.exec(trimmed);
  if (surrogate) {
    const code = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
    return { error: `Surrogate characters are not allowed: U+${code}.` };
  }
  return trimmed;
}
