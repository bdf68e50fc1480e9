import { ConsoleLogger, type LogLevel, Logger, type LoggerService } from '@nestjs/common';

/** Nest's static logger state. Not public API, but the same two fields on Nest 11 and 12. */
const nestLogger = Logger as unknown as { staticInstanceRef?: LoggerService; logLevels?: LogLevel[] };

/**
 * Whether the application's logger prints lines at `level`, for skipping the work of building a
 * line that would be dropped: Nest 12's `Logger.isLevelEnabled`, on Nest 11 too.
 *
 * Nest 11's `Logger.isLevelEnabled` only looks at levels set explicitly (`logger: ['error', …]`,
 * `app.useLogger([…])`): without them it is false for every level, although the default console
 * logger prints debug lines and a custom `LoggerService` (`logger: myLogger`,
 * `TestingModuleBuilder.setLogger`) gets every level. Nest 12 asks the console logger itself and
 * treats a custom logger without explicit levels as taking every level; this does the same on both.
 */
export function isLogLevelEnabled(level: LogLevel): boolean {
  const instance = nestLogger.staticInstanceRef;
  if (!instance) return false; // `logger: false`
  if (instance instanceof ConsoleLogger) return instance.isLevelEnabled(level);
  // A custom LoggerService: every level, unless levels were set explicitly.
  return nestLogger.logLevels ? Logger.isLevelEnabled(level) : true;
}
