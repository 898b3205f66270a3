import type { Logger } from '../../shared/logger.js';
import type { LifecycleEngine } from './ports.js';
import type { ImageService } from '../images/service.js';
import type { ContainerIndex } from '../containers/container-index.js';
import { ImageNotFoundError, NotFoundError, QuotaExceededError } from '../../shared/errors.js';
import { enforcePolicy, type CreatePolicy } from '../policy/policy.js';
import { resolveNetworkAttachments } from '../networks/attach.js';
import type { Container, ContainerFilter, CreateContainerSpec } from '../containers/model.js';
import { INTENT_LABEL, UNNAMED_ACTOR, type CreateActor, type CreateJournal } from './journal.js';

/**
 * Every container berth creates carries this label: it is what "the containers berth manages"
 * means (a backup takes theirs, not those made by others on the same engine).
 */
export const MANAGED_LABEL = { name: 'berth.managed', value: 'true' } as const;

function withManagedLabel(spec: CreateContainerSpec): CreateContainerSpec {
  const labels = spec.labels.filter((label) => label.name !== MANAGED_LABEL.name);
  return { ...spec, labels: [...labels, { ...MANAGED_LABEL }] };
}

/**
 * The container lifecycle, once: GraphQL resolvers and the REST shim both call these methods,
 * with input already validated, and render what they return or throw.
 */
export class ContainerService {
  constructor(
    private readonly engine: LifecycleEngine,
    private readonly index: ContainerIndex,
    private readonly log: Logger,
    /** Pulls go through the image service: shared with any other pull of the image, and watchable. */
    private readonly images: Pick<ImageService, 'pull'>,
    /** The admin's create policy, read at each create (it may change at any time). */
    private readonly policy: () => CreatePolicy,
    /** Where each create is audited before the engine is asked, and after. */
    private readonly journal?: CreateJournal,
  ) {}

  /** Answered from the index: no engine call on a query's path. */
  list(filter: ContainerFilter = {}): Container[] {
    return this.index.list(filter);
  }

  /** Resolves a full id, unique id prefix or name; NOT_FOUND and AMBIGUOUS_ID are thrown typed. */
  get(reference: string): Container {
    return this.index.resolve(reference);
  }

  /** By full id, from the index; null once it is gone (for watchers that must not throw). */
  peek(id: string): Container | null {
    return this.index.peek(id) ?? null;
  }

  /** Calls `listener` once when the container is destroyed; returns a function that cancels it. */
  onGone(id: string, listener: () => void): () => void {
    return this.index.onGone(id, listener);
  }

  /** Calls `listener` whenever the set of containers or their states may have changed. */
  onChange(listener: () => void): () => void {
    this.index.on('change', listener);
    this.index.on('synced', listener);
    return () => {
      this.index.off('change', listener);
      this.index.off('synced', listener);
    };
  }

  /**
   * The create policy, before any engine call: refuses what it does not allow, caps the number of
   * containers, and fills default limits a request leaves out.
   */
  #admit(spec: CreateContainerSpec, fieldPrefix: string, read = this.policy): CreateContainerSpec {
    const policy = read();
    enforcePolicy(spec, policy, fieldPrefix);
    if (policy.maxContainers !== null && this.index.list().length >= policy.maxContainers) {
      throw new QuotaExceededError(`the create policy allows at most ${policy.maxContainers} containers`);
    }
    const memoryBytes = spec.resources?.memoryBytes ?? policy.defaultMemoryBytes ?? undefined;
    const cpus = spec.resources?.cpus ?? policy.defaultCpus ?? undefined;
    if (memoryBytes === undefined && cpus === undefined) return spec;
    return {
      ...spec,
      resources: { ...(memoryBytes !== undefined && { memoryBytes }), ...(cpus !== undefined && { cpus }) },
    };
  }

  /** The index's answer after a change berth made: the next query sees it too. */
  async #current(id: string): Promise<Container> {
    const container = await this.index.refresh(id);
    if (!container) throw new NotFoundError(id);
    return container;
  }

  /**
   * Creates (pulling the image first when the engine lacks it) and, unless told otherwise, starts.
   * A container that cannot be started is removed again, so a failed call leaves nothing behind.
   * Once the request passed every check, the journal audits it before the engine is asked, and its
   * outcome after (see CreateJournal); `actor` is who the audit names.
   */
  async create(
    requested: CreateContainerSpec,
    options: {
      fieldPrefix?: string;
      actor?: CreateActor;
      /** A directory bind mounts may come from beside the policy's prefixes: a git stack's own checkout. */
      bindRoot?: string;
    } = {},
  ): Promise<Container> {
    const prefix = options.fieldPrefix ?? '';
    const policy = () => withBindRoot(this.policy(), options.bindRoot);
    const admitted = this.#admit(withManagedLabel(requested), prefix, policy);
    // Networks named by id resolve to their names, and the policy sees those names too (a network
    // given by its id must not be a way onto the host's network).
    const spec = await resolveNetworkAttachments(this.engine.networks, admitted, prefix);
    if (spec !== admitted) enforcePolicy(spec, policy(), prefix);
    if (!this.journal) return this.#create(spec);
    const intent = this.journal.begin(spec, options.actor ?? UNNAMED_ACTOR);
    const labels = spec.labels.filter((label) => label.name !== INTENT_LABEL);
    let container: Container;
    try {
      container = await this.#create({
        ...spec,
        labels: [...labels, { name: INTENT_LABEL, value: intent.id }],
      });
    } catch (error) {
      intent.failed(error);
      throw error;
    }
    intent.succeeded(container);
    return container;
  }

  async #create(spec: CreateContainerSpec): Promise<Container> {
    let id: string;
    try {
      id = await this.engine.create(spec);
    } catch (error) {
      if (!(error instanceof ImageNotFoundError)) throw error;
      this.log.info(`pulling ${spec.image} for a new container`);
      await this.images.pull(spec.image);
      id = await this.engine.create(spec);
    }
    if (spec.start) {
      try {
        await this.engine.start(id);
      } catch (error) {
        await this.engine.remove(id, { force: true, removeVolumes: true }).catch((cleanup: unknown) => {
          this.log.error(`could not remove container ${id} after its start failed`, cleanup);
        });
        throw error;
      }
    }
    return this.#current(id);
  }

  async start(reference: string): Promise<Container> {
    const { id } = this.index.resolve(reference);
    await this.engine.start(id);
    return this.#current(id);
  }

  async stop(reference: string, timeoutSeconds?: number): Promise<Container> {
    const { id } = this.index.resolve(reference);
    await this.engine.stop(id, timeoutSeconds);
    return this.#current(id);
  }

  async restart(reference: string, timeoutSeconds?: number): Promise<Container> {
    const { id } = this.index.resolve(reference);
    await this.engine.restart(id, timeoutSeconds);
    return this.#current(id);
  }

  /** Removes the container and returns how it looked just before. */
  async remove(reference: string, options: { force: boolean; removeVolumes: boolean }): Promise<Container> {
    const container = this.index.resolve(reference);
    await this.engine.remove(container.id, options);
    this.index.forget(container.id);
    return container;
  }
}

/** The policy with one more directory bind mounts may come from; the policy itself when none. */
export function withBindRoot(policy: CreatePolicy, root: string | undefined): CreatePolicy {
  return root === undefined ? policy : { ...policy, bindMountPrefixes: [...policy.bindMountPrefixes, root] };
}
