// Structured JSON logs (one object per line, read by Workers Logs). Only what is listed here is
// ever logged: never headers, bodies, tokens, keys or secrets.

export interface LogFields {
  event: string;
  requestId?: string;
  worker?: string;
  method?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  problemType?: string;
  upstreamOperation?: string;
  upstreamStatus?: number;
  traceId?: string;
  error?: string;
  [key: string]: string | number | boolean | undefined;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Writes one JSON log line. */
export function log(level: LogLevel, fields: LogFields): void {
  const line = JSON.stringify({ level, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
