/**
 * One deploy at a time per serving group, held in SSM Parameter Store: PutParameter without Overwrite is an
 * atomic create (SSM answers ParameterAlreadyExists to every caller but one), which Auto Scaling tags are not
 * (CreateOrUpdateTags has no condition: two deploys tagging the serving group would each read back its own tag
 * in some interleavings). The parameter holds a lease that the running deploy renews; a lease left by a deploy
 * that died expires, and the next deploy takes it over. Nothing here touches the serving group itself.
 */
import type { ParameterWriter, SsmAdapter } from '../aws';

/** Who holds a lock, as its parameter says (JSON). */
export interface LockHolder {
  deployId: string;
  /** `user@host pid N`: whom to ask. */
  owner: string;
  /** What the deploy is making. */
  newGroup?: string;
  acquiredAt: string;
  expiresAt: string;
}

/** Another deploy of the same serving group is running (its lease has not expired). */
export class DeployLockHeldError extends Error {
  override readonly name = 'DeployLockHeldError';
  constructor(
    readonly parameter: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `another deploy holds ${parameter}: ${holder.owner}${holder.newGroup ? ` (making ${holder.newGroup})` : ''} since ${holder.acquiredAt}, lease until ${holder.expiresAt}`
        : `${parameter} exists but is not a deploy lock; if no deploy is running, delete it`,
    );
  }
}

/** The lock was taken over or removed while this deploy ran: it must stop. */
export class DeployLockLostError extends Error {
  override readonly name = 'DeployLockLostError';
  constructor(readonly parameter: string) {
    super(`the deploy lock ${parameter} is no longer this deploy's`);
  }
}

/** What the lock reads and writes. */
export interface DeployLockDeps {
  ssm: Pick<SsmAdapter, 'getParameter'>;
  parameters: Pick<ParameterWriter, 'createIfAbsent' | 'overwrite' | 'deleteParameter'>;
  now?: () => number;
}

/** A held lock. */
export interface DeployLock {
  parameter: string;
  holder: LockHolder;
  /** Extends the lease; {@link DeployLockLostError} when the parameter no longer names this deploy. */
  renew(): Promise<void>;
  /** Deletes the parameter if it still names this deploy. */
  release(): Promise<void>;
}

/** The lock parameter of a serving group: beside its policy, under the same prefix. */
export function deployLockParameter(policyPrefix: string, servingGroup: string): string {
  return `${policyPrefix.replace(/\/+$/, '')}/${servingGroup}/deploy-lock`;
}

const parseHolder = (raw: string | undefined): LockHolder | undefined => {
  if (raw === undefined) return undefined;
  try {
    const holder = JSON.parse(raw) as Partial<LockHolder>;
    return typeof holder.deployId === 'string' && typeof holder.expiresAt === 'string'
      ? (holder as LockHolder)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Takes the lock or throws {@link DeployLockHeldError}. An expired lease is taken over by deleting it and
 * creating ours: if another deploy races for it, only one create succeeds.
 *
 * @example
 * const lock = await acquireDeployLock(deps, { parameter, deployId, owner: 'ops@host pid 7', leaseMs: 900_000 });
 * try { … } finally { await lock.release(); }
 */
export async function acquireDeployLock(
  deps: DeployLockDeps,
  options: { parameter: string; deployId: string; owner: string; leaseMs: number; newGroup?: string },
): Promise<DeployLock> {
  const now = deps.now ?? Date.now;
  const { parameter } = options;
  const holder = (): LockHolder => ({
    deployId: options.deployId,
    owner: options.owner,
    ...(options.newGroup ? { newGroup: options.newGroup } : {}),
    acquiredAt: new Date(acquiredAt).toISOString(),
    expiresAt: new Date(now() + options.leaseMs).toISOString(),
  });
  const acquiredAt = now();
  let mine = holder();
  if (!(await deps.parameters.createIfAbsent(parameter, JSON.stringify(mine)))) {
    const raw = await deps.ssm.getParameter(parameter);
    const current = parseHolder(raw);
    if (raw !== undefined && (!current || Date.parse(current.expiresAt) > now())) {
      throw new DeployLockHeldError(parameter, current);
    }
    // Expired (or gone meanwhile): take it over; a second deploy doing the same loses the create.
    if (raw !== undefined) await deps.parameters.deleteParameter(parameter);
    mine = holder();
    if (!(await deps.parameters.createIfAbsent(parameter, JSON.stringify(mine)))) {
      throw new DeployLockHeldError(parameter, parseHolder(await deps.ssm.getParameter(parameter)));
    }
  }
  const isMine = async () =>
    parseHolder(await deps.ssm.getParameter(parameter))?.deployId === options.deployId;
  return {
    parameter,
    get holder() {
      return mine;
    },
    async renew() {
      if (!(await isMine())) throw new DeployLockLostError(parameter);
      mine = holder();
      await deps.parameters.overwrite(parameter, JSON.stringify(mine));
    },
    async release() {
      if (await isMine()) await deps.parameters.deleteParameter(parameter);
    },
  };
}
