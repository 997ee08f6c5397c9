export { ConfigError } from './errors';
export {
  type FunctionConfig,
  FunctionEnvSchema,
  loadFunctionConfig,
  parseEnv,
  requireStepQueueUrl,
} from './function-config';
