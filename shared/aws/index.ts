export {
  type AutoScalingAdapter,
  type AutoScalingInstance,
  CompletionOutcome,
  type CompletionRef,
  createAutoScalingAdapter,
  createAutoScalingClient,
  type GroupDescription,
  type GroupInstance,
  HeartbeatOutcome,
  type InstanceActionRef,
  isNoActiveLifecycleAction,
  LifecycleActionResult,
  type LifecycleHookDescription,
  type ScalingActivity,
} from './autoscaling';
export { CONNECTION_TIMEOUT_MS, DEFAULT_CLIENT_CONFIG, REQUEST_TIMEOUT_MS } from './client-config';
export {
  createEc2Adapter,
  createEc2Client,
  type Ec2Adapter,
  type Ec2Instance,
  GROUP_NAME_TAG,
  LAUNCH_TEMPLATE_VERSION_TAG,
} from './ec2';
export {
  type ClassicHealthCheck,
  type ClassicInstanceHealth,
  ClassicInstanceState,
  createElbAdapter,
  createElbClient,
  type ElbAdapter,
  NOT_REGISTERED_REASON,
  parseClassicTarget,
} from './elb';
export {
  createElbV2Adapter,
  createElbV2Client,
  type ElbV2Adapter,
  type TargetGroupHealthCheck,
  type TargetHealth,
  TargetState,
} from './elbv2';
export {
  AwsCallError,
  type AwsErrorContext,
  GroupNotFoundError,
  InstanceNotFoundError,
  InstanceRefreshErrorCode,
  InstanceRefreshStateError,
  isTransientAwsError,
  LoadBalancerNotFoundError,
  PolicyInvalidError,
} from './errors';
export {
  createHealthTokenSource,
  DEFAULT_SECRET_CACHE_SECONDS,
  HealthTokenMissingError,
  type HealthTokenSource,
  SECRET_MIN_REFRESH_MS,
} from './health-token';
export {
  type InstanceRefreshDescription,
  isActiveRefreshStatus,
  type RefreshPreferenceInput,
  RefreshStatus,
  type StartRefreshInput,
} from './instance-refresh';
export { type LbHealthCheck, readLbHealthChecks } from './lb-health-checks';
export {
  createPolicyLoader,
  DEFAULT_POLICY_CACHE_SECONDS,
  DEFAULT_POLICY_PREFIX,
  type LoadedPolicy,
  type PolicyLoader,
  type PolicyLoaderOptions,
  policyParameterName,
} from './policy-loader';
export { cacheSettingsReads } from './settings-cache';
export { createSqsAdapter, createSqsClient, type SqsAdapter } from './sqs';
export {
  createSsmAdapter,
  createSsmClient,
  type Parameter,
  type ParametersRead,
  readParametersTogether,
  type SsmAdapter,
} from './ssm';
export {
  createSecretCache,
  createTtlCache,
  type SecretCache,
  type SecretCacheOptions,
  type TtlCache,
  type TtlCacheOptions,
} from './ttl-cache';
export {
  createLaunchTemplateWriter,
  createParameterWriter,
  LaunchTemplateNotFoundError,
  type LaunchTemplateVersionInfo,
  type LaunchTemplateVersionInput,
  type LaunchTemplateWriter,
  type ParameterWriter,
} from './writers';
