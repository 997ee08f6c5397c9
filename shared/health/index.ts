/**
 * The deep health-check library, framework-free: checks as data, a runner (parallel, bounded, single-flight,
 * cached), the `application/health+json` body, authorisation and the core handler every adapter uses. The
 * adapters are their own entry points (`./fastify`, `./express`, `./node`), so this one imports no framework.
 */
export { aggregateStatus, httpStatusFor } from './aggregate.js';
export {
  type Authoriser,
  compileAuth,
  createAuthoriser,
  DEFAULT_TOKEN_HEADER,
  type HealthRequestLike,
  isAuthorised,
} from './auth.js';
export { buildBody, publicView } from './body.js';
export { type DatabaseCheckOptions, databaseCheck } from './checks/database.js';
export {
  kyselyPendingMigrations,
  type MigratorLike,
  type PendingFromAppliedOptions,
  type PendingMigrations,
  pendingFromApplied,
} from './checks/migration-sources.js';
export { type MigrationsCheckOptions, migrationsCheck } from './checks/migrations.js';
export { type InjectRequest, type PageRendersCheckOptions, pageRendersCheck } from './checks/page-renders.js';
export { type RequiredConfigCheckOptions, requiredConfigCheck } from './checks/required-config.js';
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
} from './cidr.js';
export { HealthCheckTimeoutError, HealthConfigError } from './errors.js';
export {
  createHealthHandler,
  type HealthHandler,
  type HealthHandlerOptions,
  type HealthRequest,
  HealthRoute,
} from './handler.js';
export { type HealthResponse, healthResponse } from './response.js';
export { createHealthRunner, type HealthRunnerOptions, type IdentitySource } from './runner.js';
export { sanitiseMessage } from './sanitise.js';
export * from './types.js';
