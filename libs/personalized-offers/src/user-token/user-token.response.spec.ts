import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { compileModel } from '../http/model-compiler.js';
import { ResponseStatus, UserToken, UserTokenResponse, UserTokenResponseBody } from './user-token.response.js';

describe('UserTokenResponse through the compiled parser (the hot path)', () => {
  const parse = compileModel(UserTokenResponse);
  const shapes: unknown[] = [
    { Response: { Status: { Code: '600', Message: 'Success' }, UserToken: { Token: 'mh3WonUm5xmE' } } },
    { Response: { Status: { Code: '601' } } },
    { Response: { Status: { Code: 600 }, UserToken: { Token: 5 } } },
    { Response: { Status: 'x', UserToken: null } },
    { Response: { UserToken: { Token: 'a' } } },
    { Response: 'nope' },
    { Response: null },
    { Other: 1 },
    { Response: { Status: { Code: '600', Extra: 1 }, UserToken: { Token: '' } } },
  ];

  it.each(shapes.map((s) => [JSON.stringify(s), s]))('accepts and builds what plainToInstance + validateSync do for %s', (_, json) => {
    const reference = plainToInstance(UserTokenResponse, json as object);
    const valid = validateSync(reference).length === 0;
    const ours = parse(json);
    expect(ours.ok).toBe(valid);
    if (ours.ok) expect(ours.value).toStrictEqual(reference);
  });

  it('builds real class instances', () => {
    const result = parse(shapes[0]);
    expect(result.ok).toBe(true);
    const model = (result as { value: UserTokenResponse }).value;
    expect(model).toBeInstanceOf(UserTokenResponse);
    expect(model.Response).toBeInstanceOf(UserTokenResponseBody);
    expect(model.Response.Status).toBeInstanceOf(ResponseStatus);
    expect(model.Response.UserToken).toBeInstanceOf(UserToken);
    expect(validateSync(model)).toEqual([]);
  });
});
