import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  extractBundle,
  FUNCTION_BUNDLES,
  packageFunctions,
  TEMPLATE_FILE,
} from '../../../scripts/function-bundles';
import { METRIC_DIMENSION, METRIC_NAMESPACE, MetricName } from '../../../shared/observability/metrics';

const run = promisify(execFile);
const hasCfnLint = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string }>;

/** Actions AWS allows only on Resource "*": Describe* without resource-level permissions, and VPC interfaces. */
const ACTIONS_NEEDING_STAR = new Set([
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeAutoScalingInstances',
  'autoscaling:DescribeLifecycleHooks',
  'autoscaling:DescribeScalingActivities',
  'ec2:DescribeInstances',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeInstanceHealth',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
]);

/** Actions that change something: only the launch gate may hold them. */
const WRITE_ACTIONS = [
  'autoscaling:CompleteLifecycleAction',
  'autoscaling:RecordLifecycleActionHeartbeat',
  'autoscaling:SetInstanceHealth',
  'sqs:SendMessage',
];

/**
 * The dimension sets the code emits per metric (shared/launch's run-gate and shared/rollback's report metrics):
 * a SEARCH schema must name exactly these, or the widget plots nothing.
 */
const EMITTED_DIMENSIONS: Partial<Record<MetricName, string[]>> = {
  [MetricName.Decisions]: [METRIC_DIMENSION, 'Reason', 'Result'],
  [MetricName.CheckFailures]: [METRIC_DIMENSION, 'Check'],
};

let outDir: string;
let template: {
  Parameters?: Record<string, { Type: string; Default?: string }>;
  Conditions?: Record<string, unknown>;
};
let resources: Resources;
let packagingMs: number;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'healthgate-package-'));
  packagingMs = await packageFunctions(outDir);
  const parsed = JSON.parse(await readFile(join(outDir, TEMPLATE_FILE), 'utf8'));
  template = parsed;
  resources = parsed.Resources;
}, 300_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

function ofType(type: string) {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** A role's statements; a conditional statement (Fn::If) counts with its "true" branch. */
function statementsOf(roleId: string): Statement[] {
  const role = resources[roleId]!;
  expect(role.Type).toBe('AWS::IAM::Role');
  const policies = role.Properties.Policies as { PolicyDocument: { Statement: unknown[] } }[];
  return policies
    .flatMap((p) => p.PolicyDocument.Statement)
    .map((s) => {
      const cond = (s as { 'Fn::If'?: [string, Statement, unknown] })['Fn::If'];
      return cond ? cond[1] : (s as Statement);
    });
}

const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action);

/** Metric names a dashboard body or alarm expression refers to: SEARCH, Metrics Insights and metric arrays. */
function metricNamesIn(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/MetricName=\\?"([A-Za-z]+)\\?"/g)) names.add(m[1]!);
  for (const m of text.matchAll(/SELECT\s+\w+\(([A-Za-z]+)\)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/\[\s*"HealthGate"\s*,\s*"([A-Za-z]+)"/g)) names.add(m[1]!);
  return [...names];
}

function dashboardBody(): string {
  const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resources[string]]];
  return (dashboard.Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
}

describe('serverless package', () => {
  it.skipIf(!hasCfnLint)('cfn-lint reports nothing on the packaged template', async () => {
    // Any finding, warnings included, exits non-zero; its report is then the failure's diff.
    const report = await run('cfn-lint', [join(outDir, TEMPLATE_FILE)], { encoding: 'utf8' }).then(
      ({ stdout }) => stdout,
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    expect(report).toBe('');
  });

  it('keeps the optional settings as CloudFormation parameters, so the conditions test a value', () => {
    const conditions = Object.values(template.Conditions ?? {});
    expect(conditions.length).toBeGreaterThan(0);
    for (const condition of conditions) expect(JSON.stringify(condition)).toMatch(/\{"Ref":"[A-Za-z]+"\}/);
    expect(Object.keys(template.Parameters ?? {}).sort()).toEqual([
      'AlarmTopicArn',
      'GroupNamePrefix',
      'HealthTokenKmsKeyArn',
      'HealthTokenParameter',
      'StateKeyParameter',
      'VpcEndpoints',
    ]);
    // The packaged defaults are serverless.yml's params (all empty here, endpoints off).
    expect(template.Parameters?.VpcEndpoints?.Default).toBe('false');
    expect(template.Parameters?.GroupNamePrefix?.Default).toBe('');
  });

  it('packages offline within the hook timeout', () => {
    // Logged, not asserted: a timing assertion would flake on a loaded machine.
    console.info(`osls package took ${(packagingMs / 1000).toFixed(1)} s`);
    expect(packagingMs).toBeGreaterThan(0);
  });

  it('bundles both functions for nodejs22.x on arm64, each with its own role, inside the VPC', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'LaunchGateLambdaFunction',
      'RollbackCheckLambdaFunction',
    ]);
    const roles: Record<string, unknown> = {};
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Handler).toMatch(/^functions\/[a-z-]+\.handler$/);
      expect(fn.Properties.VpcConfig).toEqual({
        SecurityGroupIds: ['sg-00000000000000000'],
        SubnetIds: { 'Fn::Split': [',', 'subnet-00000000000000000'] },
      });
      roles[id] = fn.Properties.Role;
    }
    expect(roles).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string.
      LaunchGateLambdaFunction: { 'Fn::Sub': '${LaunchGateRole.Arn}' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string.
      RollbackCheckLambdaFunction: { 'Fn::Sub': '${RollbackCheckRole.Arn}' },
    });
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('keeps each function bundle at most 1.5 MB (every cold start parses it), its source map apart', async () => {
    for (const name of ['rollbackCheck', 'launchGate'] as const) {
      const { bundle, bundleBytes, files } = await extractBundle(outDir, name, join(outDir, 'unzipped'));
      const file = FUNCTION_BUNDLES[name].bundle;
      expect(bundleBytes, `${file}: ${(bundleBytes / 1e6).toFixed(2)} MB`).toBeLessThanOrEqual(1_500_000);
      expect(files, `${file}.map travels beside it`).toContain(`${file}.map`);
      const code = await readFile(bundle, 'utf8');
      expect(code.slice(0, 200)).toContain('createRequire');
      expect(code, `${file} names its source map`).toContain(
        `//# sourceMappingURL=${file.split('/').pop()}.map`,
      );
    }
  });

  it('ships ESM bundles that load and answer (the createRequire banner works)', async () => {
    const dir = join(outDir, 'loaded');
    const rollbackCheck = await extractBundle(outDir, 'rollbackCheck', dir);
    const launchGate = await extractBundle(outDir, 'launchGate', dir);
    // Plain Node (not the test runner's module pipeline) loads each bundle as Lambda's runtime would.
    const script = `
      const rollback = await import(${JSON.stringify(pathToFileURL(rollbackCheck.bundle).href)});
      const launch = await import(${JSON.stringify(pathToFileURL(launchGate.bundle).href)});
      const context = { getRemainingTimeInMillis: () => 10000, functionName: 'rollbackCheck' };
      const error = await rollback.handler({ asg: 'web' }, context).then(() => undefined, (e) => e);
      console.log(JSON.stringify({ launch: typeof launch.handler, name: error?.name, field: error?.field }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        // The launch gate refuses a cold start without its queue (never contacted here).
        STEP_QUEUE_URL: 'http://127.0.0.1:9/000000000000/healthgate-steps',
      },
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({
      launch: 'function',
      name: 'RollbackInputError',
      field: 'asg',
    });
  });

  it("routes launch lifecycle actions to the gate's steps queue, parking what it cannot deliver", () => {
    const rule = resources.LaunchLifecycleRule!;
    expect(rule.Type).toBe('AWS::Events::Rule');
    const pattern = rule.Properties.EventPattern as Record<string, unknown>;
    expect(pattern.source).toEqual(['aws.autoscaling']);
    expect(pattern['detail-type']).toEqual(['EC2 Instance-launch Lifecycle Action']);
    expect(pattern.detail).toEqual({
      'Fn::If': [
        'FilterGroups',
        { AutoScalingGroupName: [{ prefix: { Ref: 'GroupNamePrefix' } }] },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(rule.Properties.Targets).toEqual([
      {
        Id: 'launchGateSteps',
        Arn: { 'Fn::GetAtt': ['LaunchGateStepQueue', 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['LaunchGateFailureQueue', 'Arn'] } },
      },
    ]);
    // Only this rule may put events on either queue.
    for (const policy of ['LaunchGateStepQueuePolicy', 'LaunchGateFailureQueuePolicy']) {
      const text = JSON.stringify(resources[policy]!.Properties);
      expect(text).toContain('"Service":"events.amazonaws.com"');
      expect(text).toContain('"aws:SourceArn":{"Fn::GetAtt":["LaunchLifecycleRule","Arn"]}');
    }
    expect(resources.LaunchLifecycleRulePermission).toBeUndefined();
  });

  it('feeds the gate from its steps queue: partial batch failures, redrive to the dead-letter queue, an alarm', () => {
    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, Resources[string]]];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['LaunchGateStepQueue', 'Arn'] },
      FunctionName: { 'Fn::GetAtt': ['LaunchGateLambdaFunction', 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // A few executions serve hundreds of launches; the mapping paces the steps instead of Lambda throttling them.
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    const queue = resources.LaunchGateStepQueue!.Properties;
    const gate = resources.LaunchGateLambdaFunction!.Properties;
    // AWS advises a visibility timeout of at least six times the function's timeout.
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * (gate.Timeout as number));
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['LaunchGateFailureQueue', 'Arn'] },
      maxReceiveCount: 3,
    });
    const env = (gate.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.STEP_QUEUE_URL).toEqual({ Ref: 'LaunchGateStepQueue' });
    // Sending is allowed to the steps queue only; no asynchronous self-invoke is left.
    const send = statementsOf('LaunchGateRole').find((s) => actionsOf(s).includes('sqs:SendMessage'));
    expect(send?.Resource).toEqual([{ 'Fn::GetAtt': ['LaunchGateStepQueue', 'Arn'] }]);
    expect(statementsOf('LaunchGateRole').flatMap(actionsOf)).not.toContain('lambda:InvokeFunction');
    const invokeConfigs = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) =>
      JSON.stringify(c.Properties.FunctionName),
    );
    expect(invokeConfigs).not.toContain(JSON.stringify({ Ref: 'LaunchGateLambdaFunction' }));
    expect(resources.LaunchGateFailureAlarm!.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string.
    expect(dashboardBody()).toContain('${LaunchGateFailureAlarm.Arn}');
  });

  for (const roleId of ['LaunchGateRole', 'RollbackCheckRole']) {
    it(`${roleId}: no wildcard action, and Resource "*" only where AWS requires it`, () => {
      const all = statementsOf(roleId);
      expect(all.length).toBeGreaterThan(0);
      for (const s of all) {
        expect(s.Effect).toBe('Allow');
        const actions = actionsOf(s);
        for (const action of actions) expect(action, action).not.toContain('*');
        const resourceList = ([] as unknown[]).concat(s.Resource);
        expect(resourceList.length).toBeGreaterThan(0);
        if (resourceList.includes('*')) {
          expect(resourceList).toEqual(['*']);
          for (const action of actions) expect(ACTIONS_NEEDING_STAR.has(action), action).toBe(true);
        }
      }
    });
  }

  it('gives the launch gate its lifecycle, SSM and queue permissions, scoped', () => {
    const all = statementsOf('LaunchGateRole');
    const byAction = (action: string) => all.find((s) => actionsOf(s).includes(action))!;
    for (const needed of [...WRITE_ACTIONS, 'ssm:GetParameter', 'ssm:GetParameters', 'kms:Decrypt']) {
      expect(byAction(needed), needed).toBeDefined();
    }
    // Warm-pool launches are checked with Auto Scaling, and so is membership before SetInstanceHealth.
    expect(byAction('autoscaling:DescribeAutoScalingInstances')?.Resource).toEqual('*');
    expect(JSON.stringify(byAction('autoscaling:CompleteLifecycleAction').Resource)).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string.
      ':autoScalingGroup:*:autoScalingGroupName/${GroupNamePrefix}*',
    );
    expect(JSON.stringify(byAction('ssm:GetParameter').Resource)).toContain(':parameter/healthgate/*');
    // The token and the state key are read together: both actions on the same parameters.
    expect(byAction('ssm:GetParameters')).toBe(byAction('ssm:GetParameter'));
    expect(byAction('kms:Decrypt').Condition).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string.
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } },
    });
    expect(JSON.stringify(byAction('logs:PutLogEvents').Resource)).toContain(
      '/aws/lambda/healthgate-dev-launchGate:*',
    );
  });

  it("gives only the launch gate the state key: its environment and its role, never the rollback check's", () => {
    const [[, gate]] = ofType('AWS::Lambda::Function').filter(([id]) => id.startsWith('LaunchGate')) as [
      [string, Resources[string]],
    ];
    const env = (gate.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toHaveProperty('STATE_KEY_PARAMETER');
    expect(JSON.stringify(resources.LaunchGateRole)).toContain('HasStateKey');
    expect(JSON.stringify(resources.RollbackCheckRole)).not.toContain('HasStateKey');
    const [[, rollback]] = ofType('AWS::Lambda::Function').filter(([id]) =>
      id.startsWith('RollbackCheck'),
    ) as [[string, Resources[string]]];
    const rollbackEnv = (rollback.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(rollbackEnv).not.toHaveProperty('STATE_KEY_PARAMETER');
  });

  it('keeps the rollback check read-only', () => {
    const actions = statementsOf('RollbackCheckRole').flatMap(actionsOf);
    for (const write of WRITE_ACTIONS) expect(actions, write).not.toContain(write);
    expect(actions).toEqual(
      expect.arrayContaining([
        'autoscaling:DescribeAutoScalingGroups',
        'ec2:DescribeInstances',
        'elasticloadbalancing:DescribeInstanceHealth',
        'elasticloadbalancing:DescribeTargetHealth',
        'ssm:GetParameter',
      ]),
    );
  });

  it('plots only metric names from shared/observability/metrics.ts, and the ones that matter', () => {
    const body = dashboardBody();
    // The body must be JSON once CloudFormation substitutes ${...}.
    const widgets = JSON.parse(body.replace(/\$\{[^}]+\}/g, 'x')).widgets as unknown[];
    expect(widgets.length).toBeGreaterThanOrEqual(6);
    const names = metricNamesIn(body);
    const known = new Set<string>(Object.values(MetricName));
    for (const name of names) expect(known.has(name), `${name} is not in MetricName`).toBe(true);
    for (const required of [
      MetricName.Decisions,
      MetricName.TimeToDecision,
      MetricName.ProbeLatency,
      MetricName.CheckFailures,
      MetricName.LbDisagreements,
    ]) {
      expect(names).toContain(required);
    }
  });

  it('searches each metric under exactly the dimension set the code emits', () => {
    const body = dashboardBody();
    const searches = [...body.matchAll(/SEARCH\('\{([^}]+)\} MetricName=\\"([A-Za-z]+)\\"/g)];
    expect(searches.length).toBeGreaterThanOrEqual(10);
    for (const [, schema, name] of searches) {
      const [namespace, ...dimensions] = schema!.split(',');
      expect(namespace).toBe(METRIC_NAMESPACE);
      const expected = EMITTED_DIMENSIONS[name as MetricName] ?? [METRIC_DIMENSION];
      expect(dimensions.sort(), name).toEqual([...expected].sort());
    }
    expect(body).toContain('Result=\\"CONTINUE\\"');
    expect(body).toContain('Result=\\"ABANDON\\"');
  });

  it('alarms on abandons with a known metric name', () => {
    const alarm = resources.AbandonAlarm!;
    const text = JSON.stringify(alarm.Properties.Metrics);
    expect(metricNamesIn(text)).toEqual([MetricName.AbandonDecisions]);
    expect(text).toContain(`SCHEMA(\\"${METRIC_NAMESPACE}\\", ${METRIC_DIMENSION})`);
    expect(alarm.Properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
  });

  it('offers interface endpoints only behind the CreateVpcEndpoints condition', () => {
    const endpoints = ofType('AWS::EC2::VPCEndpoint');
    expect(endpoints.length).toBe(5);
    for (const [, endpoint] of endpoints) expect(endpoint.Condition).toBe('CreateVpcEndpoints');
    const services = endpoints.map(([, e]) => (e.Properties.ServiceName as { 'Fn::Sub': string })['Fn::Sub']);
    expect(services.map((s) => s.split('.').pop()).sort()).toEqual([
      'autoscaling',
      'ec2',
      'elasticloadbalancing',
      'sqs',
      'ssm',
    ]);
    expect(resources.VpcEndpointSecurityGroup!.Condition).toBe('CreateVpcEndpoints');
  });
});
