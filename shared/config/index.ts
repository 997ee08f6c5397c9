export { ConfigError } from './errors';
export { type FunctionConfig, FunctionEnvSchema, loadFunctionConfig, parseEnv } from './function-config';
