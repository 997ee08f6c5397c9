/** Classic Elastic Load Balancing (2012-06-01, awsQuery) operations. */
import {
  ConfigureHealthCheck$,
  type ConfigureHealthCheckInput,
  type ConfigureHealthCheckOutput,
  type CreateAccessPointInput,
  type CreateAccessPointOutput,
  CreateLoadBalancer$,
  type DeregisterEndPointsInput,
  DeregisterInstancesFromLoadBalancer$,
  type DescribeAccessPointsInput,
  type DescribeAccessPointsOutput,
  type DescribeEndPointStateInput,
  type DescribeEndPointStateOutput,
  DescribeInstanceHealth$,
  DescribeLoadBalancers$,
  type RegisterEndPointsInput,
  RegisterInstancesWithLoadBalancer$,
} from '@aws-sdk/client-elastic-load-balancing';
import type { ControlPlane } from '../model/control-plane';
import { SimError } from '../model/errors';
import type { ClassicHealthCheck, Listener } from '../model/load-balancers';
import { type Operation, operation } from './operation';
import { coralPagingErrors, type PageLimit, pageOf, pageSize } from './paging';

/** DescribeLoadBalancers: "The maximum number of results to return with this call (a number from 1 to 400). The default is 400." */
const LOAD_BALANCERS_PAGE: PageLimit = { member: 'pageSize', default: 400, min: 1, max: 400 };
const errors = coralPagingErrors('ValidationError', 'ValidationError', 'Invalid Marker');

/** The operations by action name. */
export const elbOperations = (cp: ControlPlane): Record<string, Operation> => {
  const lbs = cp.loadBalancers;
  const registered = (name: string) =>
    [...lbs.getClassic(name).registrations.keys()].map((InstanceId) => ({ InstanceId }));
  return {
    CreateLoadBalancer: operation(
      CreateLoadBalancer$,
      (i: CreateAccessPointInput): CreateAccessPointOutput => {
        const lb = lbs.createClassic({
          name: i.LoadBalancerName!,
          listeners: (i.Listeners ?? []) as Listener[],
          availabilityZones: i.AvailabilityZones,
        });
        return { DNSName: lb.dnsName };
      },
    ),
    ConfigureHealthCheck: operation(
      ConfigureHealthCheck$,
      (i: ConfigureHealthCheckInput): ConfigureHealthCheckOutput => {
        const lb = lbs.configureHealthCheck(i.LoadBalancerName!, i.HealthCheck as ClassicHealthCheck);
        return { HealthCheck: lb.healthCheck };
      },
    ),
    DescribeLoadBalancers: operation(
      DescribeLoadBalancers$,
      (i: DescribeAccessPointsInput): DescribeAccessPointsOutput => {
        const size = pageSize(i.PageSize, LOAD_BALANCERS_PAGE, errors);
        const names = i.LoadBalancerNames ?? [];
        for (const n of names) lbs.getClassic(n);
        const rows = [...lbs.classic.values()].filter((lb) => names.length === 0 || names.includes(lb.name));
        const { page, next } = pageOf(rows, (lb) => lb.name, { size, token: i.Marker }, errors);
        return {
          NextMarker: next,
          LoadBalancerDescriptions: page.map((lb) => ({
            LoadBalancerName: lb.name,
            DNSName: lb.dnsName,
            Scheme: 'internet-facing',
            ListenerDescriptions: lb.listeners.map((Listener) => ({ Listener, PolicyNames: [] })),
            AvailabilityZones: lb.availabilityZones,
            Instances: registered(lb.name),
            HealthCheck: lb.healthCheck,
            CreatedTime: new Date(lb.createdTime),
          })),
        };
      },
    ),
    DescribeInstanceHealth: operation(
      DescribeInstanceHealth$,
      (i: DescribeEndPointStateInput): DescribeEndPointStateOutput => ({
        InstanceStates: lbs.classicHealth(
          i.LoadBalancerName!,
          i.Instances?.map((x) => x.InstanceId!),
        ),
      }),
    ),
    RegisterInstancesWithLoadBalancer: operation(
      RegisterInstancesWithLoadBalancer$,
      (i: RegisterEndPointsInput) => {
        for (const { InstanceId } of i.Instances ?? []) {
          const instance = cp.autoscaling.instances.get(InstanceId ?? '');
          if (!instance || instance.ec2State.Name === 'terminated') {
            throw new SimError('InvalidInstance', `The requested instance ${InstanceId} is not valid.`);
          }
          lbs.registerClassic(i.LoadBalancerName!, instance.instanceId, instance.privateIp);
        }
        return { Instances: registered(i.LoadBalancerName!) };
      },
    ),
    DeregisterInstancesFromLoadBalancer: operation(
      DeregisterInstancesFromLoadBalancer$,
      (i: DeregisterEndPointsInput) => {
        for (const { InstanceId } of i.Instances ?? [])
          lbs.deregisterClassic(i.LoadBalancerName!, InstanceId ?? '');
        return { Instances: registered(i.LoadBalancerName!) };
      },
    ),
  };
};
