/**
 * Structured log lines (one JSON object per line, as CloudWatch Logs Insights reads them). Callers pass
 * only facts about the request and error names: never a body, header, password, token or key.
 */
type Fields = Record<string, string | number | boolean | undefined>;

function write(level: 'info' | 'warn' | 'error', message: string, fields: Fields): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'info') console.log(line);
  else console.error(line);
}

export const log = {
  info: (message: string, fields: Fields = {}) => write('info', message, fields),
  warn: (message: string, fields: Fields = {}) => write('warn', message, fields),
  error: (message: string, fields: Fields = {}) => write('error', message, fields),
};

/** What may be logged of an unexpected error: its class and code, not its message (which may echo input). */
export function describeError(error: unknown): Fields {
  if (!(error instanceof Error)) return { errorType: typeof error };
  const code = (error as { code?: unknown }).code;
  return { errorName: error.name, errorCode: typeof code === 'string' ? code : undefined };
}
