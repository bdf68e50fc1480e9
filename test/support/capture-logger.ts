import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps every line as `<level> <message …>`, for assertions on what was logged. */
export function captureLogger(): { logger: LoggerService; lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (...parts: unknown[]) =>
      lines.push(`${level} ${parts.map(String).join(' ')}`);
  return { lines, logger: { log: at('log'), warn: at('warn'), error: at('error'), debug: at('debug'), verbose: at('verbose') } };
}
