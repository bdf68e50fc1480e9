import { ServerClock, clockOffsetMs } from './server-clock.js';

describe('ServerClock', () => {
  const local = Date.parse('2026-12-03T12:00:00.000Z');

  it('reads the offset of a Date header', () => {
    expect(clockOffsetMs('Thu, 03 Dec 2026 12:10:00 GMT', local)).toBe(600_000);
    expect(clockOffsetMs('Thu, 03 Dec 2026 11:50:00 GMT', local)).toBe(-600_000);
    expect(clockOffsetMs(undefined, local)).toBeUndefined();
    expect(clockOffsetMs('', local)).toBeUndefined();
    expect(clockOffsetMs('not a date', local)).toBeUndefined();
  });

  it('stamps with the local clock until a Date header says otherwise, then with the server clock (centred on its second)', () => {
    const clock = new ServerClock(() => local);
    expect(clock.nowSeconds()).toBe(local / 1000);
    clock.observe('Thu, 03 Dec 2026 12:10:00 GMT');
    expect(clock.offset).toBe(600_500);
    expect(clock.nowSeconds()).toBe(local / 1000 + 600);
    clock.observe('garbage'); // an unreadable header keeps what was learned
    expect(clock.nowSeconds()).toBe(local / 1000 + 600);
  });

  it('takes an offset under 2 s for none (Date has whole-second resolution), and 2 s for one', () => {
    const clock = new ServerClock(() => local);
    clock.observe('Thu, 03 Dec 2026 12:10:00 GMT');
    clock.observe('Thu, 03 Dec 2026 12:00:01 GMT'); // 1.5 s
    expect(clock.offset).toBe(0);
    clock.observe('Thu, 03 Dec 2026 11:59:58 GMT'); // -1.5 s
    expect(clock.offset).toBe(0);
    const later = new ServerClock(() => local + 500);
    later.observe('Thu, 03 Dec 2026 12:00:02 GMT'); // exactly 2 s
    expect(later.offset).toBe(2_000);
  });
});

describe('ServerClock bounds', () => {
  const local = Date.parse('2026-12-03T12:00:00.000Z');

  it('learns an offset of up to an hour, and ignores a Date further off (a stray answer, not a drifting clock)', () => {
    const clock = new ServerClock(() => local);
    clock.observe('Thu, 03 Dec 2026 12:59:59 GMT'); // +3599.5 s
    expect(clock.offset).toBe(3_599_500);
    clock.observe('Fri, 04 Dec 2026 12:00:00 GMT'); // a day off: ignored
    expect(clock.offset).toBe(3_599_500);
    clock.observe('Thu, 03 Dec 2026 11:00:00 GMT'); // −3599.5 s
    expect(clock.offset).toBe(-3_599_500);
    clock.observe('Thu, 03 Dec 2026 10:59:58 GMT'); // −3601.5 s: ignored
    expect(clock.offset).toBe(-3_599_500);
  });
});
