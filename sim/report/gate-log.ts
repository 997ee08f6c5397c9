/**
 * The launch gate's decisions as its log says them: one structured line per completed lifecycle action
 * ("lifecycle action completed", with result, reason, detail, group and instanceId), read from an invocation's
 * log stream as an operator reads CloudWatch Logs. Pure.
 */
import { jsonLines } from '../lambda/function-logs';

/** One decision the gate logged. */
export interface LoggedDecision {
  instanceId: string;
  group?: string;
  action: string;
  reason: string;
  detail: string;
}

/** The message of the gate's completion line (shared/launch/completion.ts). */
export const COMPLETION_MESSAGE = 'lifecycle action completed';

/** Every decision logged in `logs` (an invocation's lines). */
export function decisionsInLogs(logs: readonly string[] | undefined): LoggedDecision[] {
  if (!logs) return [];
  return jsonLines(logs).flatMap((line) => {
    const { message, instanceId, group, result, reason, detail } = line;
    if (message !== COMPLETION_MESSAGE || typeof instanceId !== 'string' || typeof result !== 'string')
      return [];
    return [
      {
        instanceId,
        ...(typeof group === 'string' ? { group } : {}),
        action: result,
        reason: typeof reason === 'string' ? reason : 'UNKNOWN',
        detail: typeof detail === 'string' ? detail : '',
      },
    ];
  });
}
