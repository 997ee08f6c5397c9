export { aggregateStatus, httpStatusFor } from './aggregate';
export { compileAuth, DEFAULT_TOKEN_HEADER, type HealthRequestLike, isAuthorised } from './auth';
export { buildBody, publicView } from './body';
export { type DatabaseCheckOptions, databaseCheck } from './checks/database';
export { type MigrationsCheckOptions, migrationsCheck } from './checks/migrations';
export { type InjectRequest, type PageRendersCheckOptions, pageRendersCheck } from './checks/page-renders';
export { type RequiredConfigCheckOptions, requiredConfigCheck } from './checks/required-config';
export {
  addressFamily,
  type Cidr,
  type CidrCheck,
  type CidrMatcher,
  checkCidr,
  createCidrMatcher,
  InvalidCidrError,
  type IpFamily,
  parseCidr,
} from './cidr';
export { HealthCheckTimeoutError, HealthConfigError } from './errors';
export { type HealthPluginOptions, healthPlugin } from './fastify';
export { createHealthRunner, type HealthRunnerOptions, type IdentitySource } from './runner';
export { sanitiseMessage } from './sanitise';
export * from './types';
