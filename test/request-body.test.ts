import { describe, expect, it } from 'vitest';
import { HttpError } from '../shared/http/errors';
import { parseBody, stringFields } from '../shared/http/request-body';

const json = (text: string, contentType = 'application/json') => ({ headers: { 'content-type': contentType }, body: Buffer.from(text) });

async function failure(action: () => unknown): Promise<{ status: number; body: unknown }> {
  try {
    await action();
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, body: error.body };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('request bodies, read as DRF reads them', () => {
  it('parses JSON objects, with or without a charset and in any case of media type', async () => {
    expect(await parseBody(json('{"a":"b"}'))).toEqual({ a: 'b' });
    expect(await parseBody(json('{"a":"b"}', 'Application/JSON; charset=utf-8'))).toEqual({ a: 'b' });
  });

  it('parses form-encoded bodies, as curl -d sends them', async () => {
    expect(await parseBody(json('username=admin&password=p%26w', 'application/x-www-form-urlencoded'))).toEqual({ username: 'admin', password: 'p&w' });
  });

  it('treats an empty body as no fields, whatever its type', async () => {
    expect(await parseBody({ headers: {}, body: Buffer.alloc(0) })).toEqual({});
    expect(await parseBody(json('', 'text/plain'))).toEqual({});
  });

  it('answers 415 for other media types and for a body without a Content-Type', async () => {
    expect(await failure(() => parseBody(json('{}', 'text/plain')))).toEqual({ status: 415, body: { detail: 'Unsupported media type "text/plain" in request.' } });
    expect(await failure(() => parseBody({ headers: {}, body: Buffer.from('{}') }))).toEqual({ status: 415, body: { detail: 'Unsupported media type "" in request.' } });
  });

  it('answers a JSON parse error without echoing the body back', async () => {
    const { status, body } = await failure(() => parseBody(json('{"password":"hunter2-secret" oops')));
    expect(status).toBe(400);
    expect((body as { detail: string }).detail).toMatch(/^JSON parse error - /);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect((await failure(() => parseBody({ headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0xff, 0x7d]) }))).status).toBe(400);
  });

  it("names the JSON type when the body is not an object, as DRF does", async () => {
    expect((await failure(() => parseBody(json('[]')))).body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    expect((await failure(() => parseBody(json('"x"')))).body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] });
    expect((await failure(() => parseBody(json('1.5')))).body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got float.'] });
    expect((await failure(() => parseBody(json('null')))).body).toEqual({ non_field_errors: ['No data provided'] });
  });

  it('reads string fields like CharField: trimmed, numbers as text, every problem at once', async () => {
    expect(stringFields({ a: '  x  ', b: 12 }, ['a', 'b'])).toEqual({ a: 'x', b: '12' });
    expect((await failure(() => stringFields({ b: null, c: '  ', d: ['x'], e: true, f: {} }, ['a', 'b', 'c', 'd', 'e', 'f']))).body).toEqual({
      a: ['This field is required.'],
      b: ['This field may not be null.'],
      c: ['This field may not be blank.'],
      d: ['Not a valid string.'],
      e: ['Not a valid string.'],
      f: ['Not a valid string.'],
    });
  });

  it('parses multipart bodies; file parts are not strings', async () => {
    const form = new FormData();
    form.append('username', 'admin');
    form.append('password', new Blob(['x']), 'password.txt');
    const request = new Request('http://x/', { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());
    const data = await parseBody({ headers: { 'content-type': request.headers.get('content-type')! }, body });
    expect(data.username).toBe('admin');
    expect((await failure(() => stringFields(data, ['username', 'password']))).body).toEqual({ password: ['Not a valid string.'] });
    expect((await failure(() => parseBody({ headers: { 'content-type': 'multipart/form-data' }, body }))).status).toBe(400);
  });

  it('treats a wildcard media type as JSON, as DRF picks its first parser', async () => {
    expect(await parseBody(json('{"a":"b"}', '*/*'))).toEqual({ a: 'b' });
  });

  it('refuses NUL and lone surrogate characters, which would otherwise reach the password hash', async () => {
    expect((await failure(() => stringFields({ password: 'admin\u0000', username: 'a\ud800' }, ['username', 'password']))).body).toEqual({
      username: ['Surrogate characters are not allowed: U+D800.'],
      password: ['Null characters are not allowed.'],
    });
    expect(stringFields({ name: 'emoji \ud83d\ude00' }, ['name'])).toEqual({ name: 'emoji \ud83d\ude00' });
  });

  it("refuses a field longer than any this API needs, in DRF's words", async () => {
    expect((await failure(() => stringFields({ token: 'x'.repeat(5000) }, ['token']))).body).toEqual({
      token: ['Ensure this field has no more than 4096 characters.'],
    });
  });

  it('does not read inherited properties as fields', async () => {
    const inherited = Object.create({ a: 'from the prototype' }) as Record<string, unknown>;
    expect((await failure(() => stringFields(inherited, ['a']))).body).toEqual({ a: ['This field is required.'] });
    // JSON's "__proto__" is an ordinary own key: it is a field like any other, and pollutes nothing.
    const parsed = await parseBody(json('{"__proto__":"x","a":"y"}'));
    expect(stringFields(parsed, ['__proto__', 'a'])).toEqual({ __proto__: 'x', a: 'y' });
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
