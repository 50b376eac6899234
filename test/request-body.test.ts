import { describe, expect, it } from 'vitest';
import { HttpError } from '../shared/errors';
import { parseBody, stringFields } from '../shared/request-body';

const json = (text: string, contentType = 'application/json') => ({ headers: { 'content-type': contentType }, body: Buffer.from(text) });

function failure(action: () => unknown): { status: number; body: unknown } {
  try {
    action();
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, body: error.body };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('request bodies, read as DRF reads them', () => {
  it('parses JSON objects, with or without a charset and in any case of media type', () => {
    expect(parseBody(json('{"a":"b"}'))).toEqual({ a: 'b' });
    expect(parseBody(json('{"a":"b"}', 'Application/JSON; charset=utf-8'))).toEqual({ a: 'b' });
  });

  it('parses form-encoded bodies, as curl -d sends them', () => {
    expect(parseBody(json('username=admin&password=p%26w', 'application/x-www-form-urlencoded'))).toEqual({ username: 'admin', password: 'p&w' });
  });

  it('treats an empty body as no fields, whatever its type', () => {
    expect(parseBody({ headers: {}, body: Buffer.alloc(0) })).toEqual({});
    expect(parseBody(json('', 'text/plain'))).toEqual({});
  });

  it('answers 415 for other media types and for a body without a Content-Type', () => {
    expect(failure(() => parseBody(json('{}', 'text/plain')))).toEqual({ status: 415, body: { detail: 'Unsupported media type "text/plain" in request.' } });
    expect(failure(() => parseBody({ headers: {}, body: Buffer.from('{}') }))).toEqual({ status: 415, body: { detail: 'Unsupported media type "" in request.' } });
  });

  it('answers a JSON parse error without echoing the body back', () => {
    const { status, body } = failure(() => parseBody(json('{"password":"hunter2-secret" oops')));
    expect(status).toBe(400);
    expect((body as { detail: string }).detail).toMatch(/^JSON parse error - /);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(failure(() => parseBody({ headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0xff, 0x7d]) })).status).toBe(400);
  });

  it("names the JSON type when the body is not an object, as DRF does", () => {
    expect(failure(() => parseBody(json('[]'))).body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    expect(failure(() => parseBody(json('"x"'))).body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] });
    expect(failure(() => parseBody(json('1.5'))).body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got float.'] });
    expect(failure(() => parseBody(json('null'))).body).toEqual({ non_field_errors: ['No data provided'] });
  });

  it('reads string fields like CharField: trimmed, numbers as text, every problem at once', () => {
    expect(stringFields({ a: '  x  ', b: 12 }, ['a', 'b'])).toEqual({ a: 'x', b: '12' });
    expect(failure(() => stringFields({ b: null, c: '  ', d: ['x'], e: true, f: {} }, ['a', 'b', 'c', 'd', 'e', 'f'])).body).toEqual({
      a: ['This field is required.'],
      b: ['This field may not be null.'],
      c: ['This field may not be blank.'],
      d: ['Not a valid string.'],
      e: ['Not a valid string.'],
      f: ['Not a valid string.'],
    });
  });

  it('does not read inherited properties as fields', () => {
    expect(failure(() => stringFields(JSON.parse('{"__proto__":{"a":"x"}}'), ['a'])).body).toEqual({ a: ['This field is required.'] });
  });
});
