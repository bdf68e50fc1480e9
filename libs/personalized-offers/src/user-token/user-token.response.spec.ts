import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ResponseStatus, UserToken, UserTokenResponse, UserTokenResponseBody, toUserTokenResponse } from './user-token.response.js';

describe('toUserTokenResponse (the hot-path builder)', () => {
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

  it.each(shapes.map((s) => [JSON.stringify(s), s]))('matches plainToInstance and its validation for %s', (_, json) => {
    const ours = toUserTokenResponse(json);
    const reference = plainToInstance(UserTokenResponse, json as object);
    expect(ours.Response).toEqual(reference.Response); // unknown top-level fields are dropped, not copied
    expect(validateSync(ours).map((e) => e.property)).toEqual(validateSync(reference).map((e) => e.property));
  });

  it('builds real class instances', () => {
    const model = toUserTokenResponse(shapes[0]);
    expect(model).toBeInstanceOf(UserTokenResponse);
    expect(model.Response).toBeInstanceOf(UserTokenResponseBody);
    expect(model.Response.Status).toBeInstanceOf(ResponseStatus);
    expect(model.Response.UserToken).toBeInstanceOf(UserToken);
    expect(validateSync(model)).toEqual([]);
  });
});
