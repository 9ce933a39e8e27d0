// Structured logs: one console call per event with a plain object, which Workers Logs stores with its fields
// extracted (a JSON string would be one opaque message), so it can filter by worker, shop, request id and
// outcome. Never pass secrets or full request bodies here. `alert` is for what a person must look at now (the
// cron's health alerts): written through console.error, with `level: 'alert'` to filter on.
type Fields = Record<string, unknown>;
type Level = 'info' | 'warn' | 'error' | 'alert';

export interface Logger {
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
  alert(event: string, fields?: Fields): void;
}

export function createLogger(worker: string): Logger {
  const write = (level: Level, event: string, fields: Fields = {}) => {
    const entry = { level, event, worker, ...fields };
    if (level === 'error' || level === 'alert') console.error(entry);
    else if (level === 'warn') console.warn(entry);
    else console.log(entry);
  };
  return {
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    alert: (event, fields) => write('alert', event, fields),
  };
}
