/** Events the control plane emits in process: lifecycle notifications (to deliver to the gate) and changes. */
import { EventEmitter } from 'node:events';
import type { Ec2State, LifecycleState, LifecycleTransition } from './model/types';

/** The detail of an EventBridge "EC2 Instance-launch/terminate Lifecycle Action" event. */
export interface LifecycleActionDetail {
  LifecycleActionToken: string;
  AutoScalingGroupName: string;
  LifecycleHookName: string;
  EC2InstanceId: string;
  LifecycleTransition: LifecycleTransition;
  NotificationMetadata?: string;
  Origin: string;
  Destination: string;
}

/** The EventBridge envelope as Auto Scaling sends it (`source: aws.autoscaling`). */
export interface LifecycleEvent {
  version: '0';
  id: string;
  'detail-type': 'EC2 Instance-launch Lifecycle Action' | 'EC2 Instance-terminate Lifecycle Action';
  source: 'aws.autoscaling';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: LifecycleActionDetail;
}

/** A state change, for timelines and tests. */
export type SimChange =
  | {
      kind: 'instance';
      time: number;
      instanceId: string;
      groupName: string;
      from?: LifecycleState;
      to: LifecycleState;
      ec2State: Ec2State['Name'];
      cause: string;
    }
  | {
      kind: 'lifecycle-action';
      time: number;
      token: string;
      instanceId: string;
      hookName: string;
      result: string;
      cause: string;
    }
  | { kind: 'lb-health'; time: number; target: string; instanceId: string; state: string; reason?: string }
  /** A launch EC2 refused: no instance exists, the failed scaling activity is the record. */
  | { kind: 'launch-failed'; time: number; groupName: string; reason: string }
  /** An instance refresh changed status, progress or reason. */
  | {
      kind: 'instance-refresh';
      time: number;
      groupName: string;
      instanceRefreshId: string;
      status: string;
      percentageComplete: number;
      instancesToUpdate: number;
      statusReason?: string;
      /** The checkpoint percentage just reached, on the change that reached it. */
      checkpoint?: number;
    };

/** Event map of {@link SimEvents}. */
export interface SimEventMap {
  lifecycle: [LifecycleEvent];
  change: [SimChange];
}

/**
 * The control plane's emitter.
 *
 * @example
 * sim.events.on('lifecycle', (event) => void handler(event, context));
 */
export class SimEvents extends EventEmitter<SimEventMap> {}
