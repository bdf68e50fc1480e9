import { ConsoleLogger, type LogLevel, Logger, type LoggerService } from '@nestjs/common';
import { isLogLevelEnabled } from './log-level.js';

/** Nest's static logger state, saved and restored around each case. */
const state = Logger as unknown as { staticInstanceRef?: LoggerService; logLevels?: LogLevel[] };

const levels = (): Record<LogLevel, boolean> => ({
  verbose: isLogLevelEnabled('verbose'),
  debug: isLogLevelEnabled('debug'),
  log: isLogLevelEnabled('log'),
  warn: isLogLevelEnabled('warn'),
  error: isLogLevelEnabled('error'),
  fatal: isLogLevelEnabled('fatal'),
});

const custom = (): LoggerService => ({ log() {}, error() {}, warn() {}, debug() {}, verbose() {} });

// The same answers on Nest 11 and 12 (npm run test:unit:nest11 runs this against Nest 11, whose
// own Logger.isLevelEnabled is false for every level unless levels were set explicitly).
describe('isLogLevelEnabled', () => {
  let saved: { instance?: LoggerService; levels?: LogLevel[] };
  beforeEach(() => {
    saved = { instance: state.staticInstanceRef, levels: state.logLevels };
  });
  afterEach(() => {
    state.staticInstanceRef = saved.instance;
    state.logLevels = saved.levels;
  });

  it("Nest's default console logger: every level, debug included", () => {
    expect(state.staticInstanceRef).toBeInstanceOf(ConsoleLogger);
    expect(levels()).toEqual({ verbose: true, debug: true, log: true, warn: true, error: true, fatal: true });
  });

  // Nest enables the levels listed and every level more severe than the most severe one listed.
  it('a console logger with its own levels: those (and fatal)', () => {
    Logger.overrideLogger(new ConsoleLogger({ logLevels: ['log', 'error'] }));
    expect(levels()).toEqual({ verbose: false, debug: false, log: true, warn: false, error: true, fatal: true });
  });

  it('levels set explicitly (`logger: [...]`, `useLogger([...])`): those (and fatal)', () => {
    Logger.overrideLogger(['warn', 'error']);
    expect(levels()).toEqual({ verbose: false, debug: false, log: false, warn: true, error: true, fatal: true });
  });

  it('a custom LoggerService (`logger: myLogger`, `setLogger`): every level', () => {
    Logger.overrideLogger(custom());
    expect(levels()).toEqual({ verbose: true, debug: true, log: true, warn: true, error: true, fatal: true });
  });

  it('a custom LoggerService with levels set explicitly: those (and the more severe ones)', () => {
    Logger.overrideLogger(custom());
    Logger.overrideLogger(['debug']);
    expect(levels()).toEqual({ verbose: false, debug: true, log: true, warn: true, error: true, fatal: true });
  });

  it('`logger: false`: none', () => {
    Logger.overrideLogger(false);
    expect(levels()).toEqual({ verbose: false, debug: false, log: false, warn: false, error: false, fatal: false });
  });
});
