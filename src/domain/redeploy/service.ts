import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../shared/logger.js';
import type { ContainerIndex } from '../containers/container-index.js';
import type { Container, KeyValue } from '../containers/model.js';
import { STAGING_NETWORK, type RedeployEngine } from './ports.js';
import {
  BerthError,
  ImageNotFoundError,
  InvalidInputError,
  InvalidStateError,
  RedeployInProgressError,
} from '../../shared/errors.js';
import { RedeployFailedError } from './errors.js';
import type { ImageService } from '../images/service.js';
import { enforcePolicy, type CreatePolicy } from '../policy/policy.js';
import { applyEnvChanges, diffSpecs } from './diff.js';
import { attachedNetworks, blueprintOf, previewOf } from './blueprint.js';
import { waitUntilReady } from './health-gate.js';
import type {
  CloneTemplate,
  ContainerBlueprint,
  EffectiveSpec,
  NetworkHandover,
  PlannedNetwork,
  RedeployFailure,
  RedeployFailureReason,
  RedeployPlan,
  RedeployProgress,
  RedeployRequest,
  RedeployResult,
} from './model.js';
import { RedeployProgressBoard, type RedeployRun } from './progress.js';
import { sideName } from './validation.js';

export interface RedeployServiceOptions {
  /** Without a healthcheck, how long the new container must run before it takes traffic. */
  settleMs?: number;
  /** How often the health gate inspects, besides the index's events. */
  pollMs?: number;
}

type Blueprint = ContainerBlueprint<unknown>;

interface Attempt {
  request: RedeployRequest;
  blueprint: Blueprint;
  plan: RedeployPlan;
  env: KeyValue[];
  run: RedeployRun;
  /** The time the side names are made from. */
  at: number;
  /** What an unexpected failure now would be reported as. */
  stage: RedeployFailureReason;
}

/** The new version was not taken into service: it is removed, and the old one serves on. */
class NotTakenIntoService extends Error {
  constructor(
    readonly failure: RedeployFailure,
    cause?: unknown,
  ) {
    super(failure.message, { cause });
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Replaces a standalone container with a copy of it on another image or environment, health
 * first: the copy starts beside the old one, takes traffic only once it is ready, and the old one
 * leaves only then. A copy that is not ready is removed and the old one never noticed.
 */
export class RedeployService {
  readonly #board = new RedeployProgressBoard();
  /** Container ids and names a redeploy holds: the old container's, then the new one's too. */
  readonly #held = new Set<string>();
  readonly #stopping = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #settleMs: number;
  readonly #pollMs: number;

  constructor(
    private readonly engine: RedeployEngine,
    private readonly index: ContainerIndex,
    private readonly images: Pick<ImageService, 'pull'>,
    private readonly policy: () => CreatePolicy,
    private readonly log: Logger,
    options: RedeployServiceOptions = {},
  ) {
    this.#settleMs = options.settleMs ?? 3_000;
    this.#pollMs = options.pollMs ?? 1_000;
  }

  /** Plans, and unless it is a dry run, carries the redeploy out; resolves when it is over. */
  async redeploy(request: RedeployRequest): Promise<RedeployResult> {
    const current = this.index.resolve(request.reference);
    if (request.dryRun) {
      const { plan } = await this.#plan(current, request);
      return {
        dryRun: true,
        plan,
        containerId: null,
        replacedContainerId: null,
        handover: [],
        hostPortGapMs: null,
        warnings: [],
      };
    }
    // Taken before the first await, so two calls in the same moment cannot both pass.
    if (this.#held.has(current.id) || this.#held.has(current.name)) {
      throw new RedeployInProgressError(current.name);
    }
    const held = [current.id, current.name];
    for (const key of held) this.#held.add(key);
    const work = this.#carryOut(current, request, held);
    this.#inFlight.add(work);
    try {
      return await work;
    } finally {
      this.#inFlight.delete(work);
      for (const key of held) this.#held.delete(key);
    }
  }

  /** Follows the container's redeploy (see RedeployProgressBoard.watch). */
  watch(reference: string): AsyncIterableIterator<RedeployProgress> {
    const container = this.index.resolve(reference);
    return this.#board.watch(container.id, container.name, (listener) =>
      this.index.onGone(container.id, listener),
    );
  }

  watchers(containerId: string): number {
    return this.#board.watchers(containerId);
  }

  /** Stops waiting: a redeploy that has not swapped yet removes its new container and fails. */
  async close(): Promise<void> {
    this.#stopping.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  /** The container read back as what a replacement needs. */
  async #blueprint(id: string): Promise<Blueprint> {
    const container = await this.engine.redeploy.readBack(id);
    const image = await this.engine.redeploy.imageDefaults(container.imageId);
    return blueprintOf(container, image?.settings ?? null);
  }

  /**
   * What a copy on `image` with `env` would run with, and whether the engine has the image; when
   * it has not (it is pulled first), only what the container sets itself is known.
   */
  async #preview(
    template: CloneTemplate,
    image: string,
    env: readonly KeyValue[],
  ): Promise<{ effective: EffectiveSpec; present: boolean }> {
    const defaults = await this.engine.redeploy.imageDefaults(image);
    return { effective: previewOf(template, image, env, defaults), present: defaults !== null };
  }

  async #plan(
    current: Container,
    request: RedeployRequest,
  ): Promise<{ plan: RedeployPlan; blueprint: Blueprint; env: KeyValue[] }> {
    const blueprint = await this.#blueprint(current.id);
    if (blueprint.networkMode !== 'OWN') {
      throw new InvalidStateError(
        `container "${blueprint.name}" uses ${blueprint.networkMode === 'HOST' ? "the host's network" : blueprint.networkMode === 'NONE' ? 'no network' : "another container's network"}: ` +
          'a new version cannot run beside it, so it cannot be redeployed without downtime',
      );
    }
    if (!blueprint.running) {
      throw new InvalidStateError(
        `container "${blueprint.name}" is not running: there is nothing to keep serving; start it or create a new one`,
      );
    }
    const ownNames = new Set(blueprint.ownEnv.map(({ name }) => name));
    request.unsetEnv.forEach((name, i) => {
      if (!ownNames.has(name)) {
        throw new InvalidInputError(
          `unsetEnv.${i}`,
          `"${name}" is not one of the container's own variables (an image's defaults cannot be unset, only overridden)`,
        );
      }
    });
    // The copy has the old container's powers with another image: the create policy weighs them now.
    enforcePolicy(
      {
        image: request.image ?? blueprint.effective.image,
        env: [],
        ports: [],
        labels: [],
        tty: false,
        start: true,
        privileges: blueprint.privileges,
      },
      this.policy(),
      'container.',
    );
    const env = applyEnvChanges(blueprint.ownEnv, request.setEnv, request.unsetEnv);
    const image = request.image ?? blueprint.effective.image;
    const after = await this.#preview(blueprint.template, image, env);
    if (!after.present && /^sha256:[0-9a-f]{64}$/.test(image)) {
      throw new ImageNotFoundError(image, 'the engine has no image with this id, and an id cannot be pulled');
    }
    // Without the new image its defaults are unknown: compare only what the container sets itself.
    const before = after.present
      ? blueprint.effective
      : {
          ...previewOf(blueprint.template, blueprint.effective.image, blueprint.ownEnv, null),
          imageId: blueprint.effective.imageId,
        };
    const networks: PlannedNetwork[] = blueprint.networks.map((network) => ({
      name: network.name,
      // The old name too, so clients using it reach the new container before it takes the name.
      aliases: network.dns ? [...new Set([...network.aliases, blueprint.name])] : [],
    }));
    const plan: RedeployPlan = {
      containerId: blueprint.id,
      name: blueprint.name,
      image,
      pullRequired: !after.present,
      swap: blueprint.fixedHostPorts.length > 0 ? 'HOST_PORT' : 'NETWORK_ALIAS',
      // A pulled image may bring a healthcheck; until then only the container's own is known.
      healthGate: after.effective.healthcheck ? 'HEALTHCHECK' : 'RUNNING',
      networks,
      fixedHostPorts: blueprint.fixedHostPorts,
      changes: diffSpecs(before, after.effective),
    };
    return { plan, blueprint, env };
  }

  async #carryOut(current: Container, request: RedeployRequest, held: string[]): Promise<RedeployResult> {
    // A request refused while planning changed nothing and starts no run.
    const { plan, blueprint, env } = await this.#plan(current, request);
    const run = this.#board.begin(current.id, current.name);
    const attempt: Attempt = { request, blueprint, plan, env, run, at: Date.now(), stage: 'PULL_FAILED' };
    let committed = false;
    try {
      this.#board.publish(
        run,
        'PLANNED',
        `${plan.swap} swap to ${plan.image}, ${plan.changes.length} change(s)`,
      );
      if (plan.pullRequired) {
        this.#board.publish(run, 'PULLING', `pulling ${plan.image}`);
        try {
          await this.images.pull(plan.image);
        } catch (error) {
          throw new NotTakenIntoService(
            {
              reason: 'PULL_FAILED',
              message: `${plan.image} could not be pulled: ${messageOf(error)}`,
              lastProbe: null,
              exitCode: null,
            },
            error,
          );
        }
        // Now its defaults are known: what the copy will run, and whether it has a healthcheck.
        const pulled = await this.#preview(blueprint.template, plan.image, env);
        plan.healthGate = pulled.effective.healthcheck ? 'HEALTHCHECK' : 'RUNNING';
        plan.changes = diffSpecs(blueprint.effective, pulled.effective);
      }
      const newId = await this.#startCopy(attempt, held);
      attempt.stage = 'SWAP_FAILED';
      const swapped =
        plan.swap === 'HOST_PORT'
          ? await this.#swapHostPorts(attempt, newId)
          : await this.#swapAliases(attempt, newId);
      // From here the new container serves: what goes wrong now is reported, never rolled back.
      committed = true;
      if (plan.swap === 'NETWORK_ALIAS') {
        this.#board.publish(
          run,
          'DRAINING',
          `the old container finishes what it was sent for ${request.drainSeconds} s`,
        );
        await sleep(request.drainSeconds * 1000, undefined, { signal: this.#stopping.signal }).catch(
          () => undefined,
        );
      }
      this.#board.publish(run, 'REMOVING_OLD', `stopping and removing the old container`);
      const warnings = [...swapped.warnings];
      try {
        await this.engine.stop(blueprint.id, request.stopTimeoutSeconds);
        // Its volumes stay: the new container mounts the same ones.
        await this.engine.remove(blueprint.id, { force: true, removeVolumes: false });
        this.index.forget(blueprint.id);
      } catch (error) {
        warnings.push(`the old container ${blueprint.id} could not be removed: ${messageOf(error)}`);
      }
      await this.index.refresh(newId).catch(() => undefined);
      this.#board.publish(run, 'DONE', `${plan.name} runs ${plan.image} as ${newId}`);
      return {
        dryRun: false,
        plan,
        containerId: newId,
        replacedContainerId: blueprint.id,
        handover: swapped.handover,
        hostPortGapMs: swapped.hostPortGapMs,
        warnings,
      };
    } catch (error) {
      const failure: RedeployFailure =
        error instanceof NotTakenIntoService
          ? error.failure
          : { reason: attempt.stage, message: messageOf(error), lastProbe: null, exitCode: null };
      // The new container, if it got as far as existing, unless it already serves.
      if (run.newContainerId !== null && !committed) await this.#discard(run.newContainerId);
      this.#board.publish(run, 'FAILED', failure.message, failure);
      if (!(error instanceof NotTakenIntoService)) throw error;
      // A pull's own typed error (IMAGE_NOT_FOUND, REGISTRY_UNAVAILABLE) says it best.
      if (error.cause instanceof BerthError) throw error.cause;
      throw new RedeployFailedError(current.id, failure);
    }
  }

  /** Creates, starts and waits for the new container; throws NotTakenIntoService when it is not ready. */
  async #startCopy(attempt: Attempt, held: string[]): Promise<string> {
    const { plan, blueprint, env, run, request } = attempt;
    const redeploy = this.engine.redeploy;
    const name = sideName(blueprint.name, 'next', attempt.at);
    held.push(name);
    this.#held.add(name);
    attempt.stage = 'CREATE_FAILED';
    this.#board.publish(run, 'CREATING', `creating ${name} from ${plan.image}`);
    let id: string;
    try {
      id = await redeploy.createClone(blueprint.template, {
        name,
        image: plan.image,
        env,
        placement: plan.swap === 'HOST_PORT' ? 'STAGING' : 'NETWORKS',
        privateCgroupns: !this.policy().allowHostNamespaces,
      });
    } catch (error) {
      if (!(error instanceof BerthError)) throw error;
      throw new NotTakenIntoService({
        reason: 'CREATE_FAILED',
        message: `the new container could not be created: ${error.message}`,
        lastProbe: null,
        exitCode: null,
      });
    }
    held.push(id);
    this.#held.add(id);
    run.newContainerId = id;
    attempt.stage = 'START_FAILED';
    this.#board.publish(run, 'STARTING', `starting ${name}`);
    try {
      await this.engine.start(id);
    } catch (error) {
      if (!(error instanceof BerthError)) throw error;
      throw new NotTakenIntoService({
        reason: 'START_FAILED',
        message: `the new container could not be started: ${error.message}`,
        lastProbe: null,
        exitCode: null,
      });
    }
    this.#board.publish(
      run,
      'WAITING_HEALTHY',
      plan.healthGate === 'HEALTHCHECK'
        ? `waiting up to ${request.healthTimeoutSeconds} s for the healthcheck to pass`
        : `no healthcheck: waiting for it to stay running ${this.#settleMs / 1000} s`,
    );
    const failure = await waitUntilReady({
      id,
      gate: plan.healthGate,
      settleMs: this.#settleMs,
      timeoutMs: request.healthTimeoutSeconds * 1000,
      pollMs: this.#pollMs,
      signal: this.#stopping.signal,
      watch: (containerId, listener) => {
        const onChange = (change: { containerId: string; current: Container | undefined }) => {
          if (change.containerId === containerId && change.current) listener(change.current);
        };
        this.index.on('change', onChange);
        return () => this.index.off('change', onChange);
      },
      inspect: (containerId) => this.engine.inspect(containerId),
    });
    if (failure) throw new NotTakenIntoService(failure);
    return id;
  }

  /**
   * Both containers run on the same networks. The new one takes the old one's aliases and name
   * (as an alias), then the old one gives them up: renamed, and re-joined without aliases at the
   * address it had, so what was sent to it still arrives while it drains.
   */
  async #swapAliases(attempt: Attempt, newId: string): Promise<Swapped> {
    const { plan, blueprint, run } = attempt;
    const redeploy = this.engine.redeploy;
    this.#board.publish(run, 'SWAPPING', 'moving the names to the new container');
    const fixed = new Map<string, boolean>();
    const endpoints = attachedNetworks(await redeploy.readBack(newId));
    try {
      for (const network of plan.networks) {
        if (network.aliases.length === 0) continue;
        const endpoint = endpoints.find(({ name }) => name === network.name);
        await redeploy.disconnect(network.name, newId);
        const kept =
          endpoint?.ipv4Address != null &&
          (await redeploy.connectAt(
            network.name,
            newId,
            network.aliases,
            endpoint.ipv4Address,
            endpoint.macAddress,
          ));
        if (!kept) await redeploy.connect(network.name, newId, network.aliases);
        fixed.set(network.name, kept);
      }
      await redeploy.rename(blueprint.id, sideName(blueprint.name, 'old', attempt.at));
    } catch (error) {
      throw new NotTakenIntoService({
        reason: 'SWAP_FAILED',
        message: `the new container could not take over the names: ${messageOf(error)}`,
        lastProbe: null,
        exitCode: null,
      });
    }
    const warnings: string[] = [];
    const handover: NetworkHandover[] = [];
    for (const network of blueprint.networks) {
      if (!network.dns) continue;
      const aliases = plan.networks.find(({ name }) => name === network.name)?.aliases ?? [];
      let addressKept = false;
      try {
        await redeploy.disconnect(network.name, blueprint.id);
        if (fixed.get(network.name) && network.ipv4Address) {
          addressKept = await redeploy.connectAt(
            network.name,
            blueprint.id,
            [],
            network.ipv4Address,
            network.macAddress,
          );
        }
      } catch (error) {
        warnings.push(`the old container could not re-join ${network.name} to drain: ${messageOf(error)}`);
      }
      handover.push({ network: network.name, aliases, addressKept });
    }
    await this.#takeName(newId, blueprint.name, warnings);
    return { handover, hostPortGapMs: null, warnings };
  }

  /**
   * The host ports move: the old container leaves its networks (which frees them) and the new one,
   * waiting on the internal staging network, joins them (which binds them). Nothing answers on the
   * ports between the two; that gap is measured and reported.
   */
  async #swapHostPorts(attempt: Attempt, newId: string): Promise<Swapped> {
    const { plan, blueprint, run } = attempt;
    const redeploy = this.engine.redeploy;
    this.#board.publish(run, 'SWAPPING', 'moving the host ports and names to the new container');
    const aside = sideName(blueprint.name, 'old', attempt.at);
    try {
      await redeploy.rename(blueprint.id, aside);
    } catch (error) {
      throw new NotTakenIntoService({
        reason: 'SWAP_FAILED',
        message: `the old container could not be renamed: ${messageOf(error)}`,
        lastProbe: null,
        exitCode: null,
      });
    }
    const left: typeof blueprint.networks = [];
    const joined: string[] = [];
    const started = performance.now();
    try {
      for (const network of blueprint.networks) {
        await redeploy.disconnect(network.name, blueprint.id);
        left.push(network);
      }
      for (const network of plan.networks) {
        await redeploy.connect(network.name, newId, network.aliases);
        joined.push(network.name);
      }
    } catch (error) {
      await this.#restore(blueprint, newId, left, joined);
      throw new NotTakenIntoService({
        reason: 'SWAP_FAILED',
        message: `the host ports could not move to the new container: ${messageOf(error)}`,
        lastProbe: null,
        exitCode: null,
      });
    }
    const hostPortGapMs = Math.round(performance.now() - started);
    const warnings: string[] = [];
    await redeploy.disconnect(STAGING_NETWORK, newId).catch((error: unknown) => {
      warnings.push(`the new container is still on ${STAGING_NETWORK}: ${messageOf(error)}`);
    });
    await this.#takeName(newId, blueprint.name, warnings);
    const handover = plan.networks
      .filter(({ aliases }) => aliases.length > 0)
      .map(({ name, aliases }) => ({ network: name, aliases, addressKept: false }));
    return { handover, hostPortGapMs, warnings };
  }

  /** Puts the old container back as it was after a host-port swap that could not finish. */
  async #restore(
    blueprint: Blueprint,
    newId: string,
    left: Blueprint['networks'],
    joined: string[],
  ): Promise<void> {
    const redeploy = this.engine.redeploy;
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        this.log.error(`redeploy of ${blueprint.name}: could not ${what}`, error);
      }
    };
    for (const name of joined)
      await attempt(`take ${name} from the new container`, () => redeploy.disconnect(name, newId));
    for (const network of left) {
      await attempt(`give ${network.name} back to the old container`, async () => {
        const kept =
          network.ipv4Address !== null &&
          (await redeploy.connectAt(
            network.name,
            blueprint.id,
            network.aliases,
            network.ipv4Address,
            network.macAddress,
          ));
        if (!kept) await redeploy.connect(network.name, blueprint.id, network.aliases);
      });
    }
    await attempt('give the old container its name back', () =>
      redeploy.rename(blueprint.id, blueprint.name),
    );
  }

  async #takeName(newId: string, name: string, warnings: string[]): Promise<void> {
    try {
      await this.engine.redeploy.rename(newId, name);
    } catch (error) {
      warnings.push(`the new container could not take the name ${name}: ${messageOf(error)}`);
    }
  }

  async #discard(id: string): Promise<void> {
    try {
      await this.engine.remove(id, { force: true, removeVolumes: true });
      this.index.forget(id);
    } catch (error) {
      this.log.error(`could not remove the new container ${id} of a failed redeploy`, error);
    }
  }
}

interface Swapped {
  handover: NetworkHandover[];
  hostPortGapMs: number | null;
  warnings: string[];
}
