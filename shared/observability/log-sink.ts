/**
 * The structured logging the orchestration needs: a subset of Powertools' Logger, so the handler passes its
 * Logger as is and tests pass {@link memoryLogSink}.
 */
export interface LogSink {
  info(message: string, ...fields: Record<string, unknown>[]): void;
  warn(message: string, ...fields: Record<string, unknown>[]): void;
  error(message: string, ...fields: Record<string, unknown>[]): void;
}

/** A sink that adds its own keys (group, instanceId, tokenHash) to every line. */
export interface ScopedLog extends LogSink {
  appendKeys(keys: Record<string, unknown>): void;
}

/**
 * Keys scoped to one invocation, kept here rather than appended to the shared Logger: invocations that run
 * concurrently in one process (the local control plane runs handlers in-process) must not mix their keys.
 */
export function scopedLog(sink: LogSink): ScopedLog {
  let keys: Record<string, unknown> = {};
  const fields = (more: Record<string, unknown>[]) => Object.assign({ ...keys }, ...more);
  return {
    info: (message, ...more) => sink.info(message, fields(more)),
    warn: (message, ...more) => sink.warn(message, fields(more)),
    error: (message, ...more) => sink.error(message, fields(more)),
    appendKeys(more) {
      keys = { ...keys, ...more };
    },
  };
}

/** One line kept by {@link memoryLogSink}. */
export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A sink that keeps lines in memory: for tests. */
export function memoryLogSink(): LogSink & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const push =
    (level: LogEntry['level']) =>
    (message: string, ...fields: Record<string, unknown>[]) => {
      entries.push({ level, message, fields: Object.assign({}, ...fields) });
    };
  return { entries, info: push('info'), warn: push('warn'), error: push('error') };
}
