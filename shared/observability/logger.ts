import { Logger } from '@aws-lambda-powertools/logger';

/**
 * healthgate's structured JSON logger (Powertools). Handlers append `group`, `instanceId` and `tokenHash`
 * per invocation; the `injectLambdaContext` middleware resets them between invocations.
 */
export function createLogger(options: { serviceName?: string; logLevel?: string } = {}): Logger {
  return new Logger({
    serviceName: options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'healthgate',
    ...(options.logLevel ? { logLevel: options.logLevel as 'INFO' } : {}),
  });
}
