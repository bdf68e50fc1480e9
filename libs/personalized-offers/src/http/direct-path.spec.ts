import axios, { type AxiosInstance, type AxiosResponseTransformer } from 'axios';
import { DirectPathGate } from './direct-path.js';

describe('DirectPathGate', () => {
  const fresh = () => {
    const instance = axios.create();
    // The module's own interceptors, registered before the gate is made.
    instance.interceptors.request.use((c) => c);
    instance.interceptors.response.use((r) => r);
    return { instance, gate: new DirectPathGate(instance) };
  };

  it('allows the direct path while only the module’s own interceptors are there', () => {
    expect(fresh().gate.reason()).toBeUndefined();
  });

  it('a request or response interceptor added later means the axios path until it is ejected', () => {
    const { instance, gate } = fresh();
    const id = instance.interceptors.request.use((c) => c);
    expect(gate.reason()).toMatch(/request interceptor/);
    instance.interceptors.request.eject(id);
    expect(gate.reason()).toBeUndefined();
    const r = instance.interceptors.response.use((x) => x);
    expect(gate.reason()).toMatch(/response interceptor/);
    instance.interceptors.response.eject(r);
    expect(gate.reason()).toBeUndefined();
  });

  it('a handlers array replaced by user code is seen too', () => {
    const { instance, gate } = fresh();
    (instance.interceptors.request as unknown as { handlers: unknown[] }).handlers = [{ fulfilled: (c: unknown) => c }];
    expect(gate.reason()).toMatch(/request interceptor/);
  });

  it('clear() of the module’s own interceptors keeps the direct path (nothing foreign)', () => {
    const { instance, gate } = fresh();
    instance.interceptors.response.clear();
    expect(gate.reason()).toBeUndefined();
  });

  it.each<[string, (d: AxiosInstance['defaults']) => void]>([
    ['a top-level setting', (d) => (d.timeout = 5)],
    ['transformRequest', (d) => (d.transformRequest = [(x: unknown) => x])],
    ['a pushed transform', (d) => (d.transformResponse as AxiosResponseTransformer[]).push((x: unknown) => x)],
    ['a common header', (d) => (d.headers.common['X-Tenant'] = 't')],
    ['a method header', (d) => (d.headers.post['X-Tenant'] = 't')],
    ['a deleted header', (d) => delete d.headers.common.Accept],
  ])('a change to the defaults (%s) means the axios path for good, and axios still sees it', (_, change) => {
    const { instance, gate } = fresh();
    change(instance.defaults);
    expect(gate.reason()).toMatch(/defaults were changed/);
  });

  it('axios still reads defaults written through the watched instance', async () => {
    const { instance } = fresh();
    instance.defaults.headers.common['X-Tenant'] = 't-1';
    let seen: unknown;
    instance.defaults.adapter = (config) => {
      seen = config.headers.get('X-Tenant');
      return Promise.resolve({ data: '', status: 200, statusText: '', headers: {}, config });
    };
    await instance.get('http://127.0.0.1:1/x');
    expect(seen).toBe('t-1');
  });
});
