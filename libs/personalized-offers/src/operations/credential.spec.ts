import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { MAX_TOKEN_LENGTH, callerCredential, isSendableCredential, isUsableToken } from './credential.js';

describe('credentials', () => {
  it.each(['tok😀', 'tok\u2028x', 'tok en', 'tok\tx', 'tok€', ''])('a held token %j is refused before any I/O, naming user.accessToken', (value) => {
    const byId = () => {
      throw new Error('not by id');
    };
    expect(() => callerCredential({ accessToken: value }, 'accessToken', byId)).toThrow(InvalidArgumentError);
    try {
      callerCredential({ accessToken: value }, 'accessToken', byId);
    } catch (error) {
      expect(error).toMatchObject({ argument: 'user.accessToken' });
    }
  });

  it('a printable ASCII held token is sent as it is, and names itself for later checks', async () => {
    const source = callerCredential({ userToken: 'mh3WonUm5xmE/+=' }, 'userToken', () => {
      throw new Error('not by id');
    });
    await expect(source.get()).resolves.toBe('mh3WonUm5xmE/+=');
    expect(source.argument).toBe('user.userToken');
    expect(typeof source.renew).toBe('undefined');
  });

  it('sendable means printable ASCII without spaces', () => {
    expect(isSendableCredential('!~az09')).toBe(true);
    expect(['a b', 'a\u007f', 'é', ''].map(isSendableCredential)).toEqual([false, false, false, false]);
  });

  it(`a token the API issued is usable up to ${MAX_TOKEN_LENGTH} printable characters`, () => {
    expect(isUsableToken('x'.repeat(MAX_TOKEN_LENGTH))).toBe(true);
    expect(isUsableToken('x'.repeat(MAX_TOKEN_LENGTH + 1))).toBe(false);
    expect(isUsableToken('tok en')).toBe(false);
    expect(isUsableToken(42)).toBe(false);
  });
});
