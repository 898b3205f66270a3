import { z } from 'zod';
import type { ContainerService } from '../../lifecycle/service.js';
import { INTENT_LABEL } from '../../lifecycle/journal.js';
import { MANAGED_LABEL } from '../../lifecycle/service.js';
import { ALIASES_LABEL as STACK_REPLICA_LABEL } from '../../stacks/replicas.js';
import { validateCreateSpec, type CreateContainerInput } from '../../lifecycle/validation.js';
import type { ContainerReader } from '../../containers/ports.js';
import {
  NO_SETTINGS,
  createdOnFirst,
  ownSettings,
  type ContainerReadBack,
  type RunSettings,
} from '../../containers/read-back.js';
import { BUILT_IN_NETWORKS } from '../../networks/names.js';
import { BerthError, NotFoundError } from '../../../shared/errors.js';
import type { BackupSection } from '../section.js';

const schema = z.array(
  z.object({
    name: z.string(),
    running: z.boolean(),
    // Checked per container on restore, with createContainer's own rules: one bad spec fails
    // that container only.
    spec: z.record(z.string(), z.unknown()),
  }),
);

/**
 * The createContainer input that would make the container again: what was asked for. What equals
 * its image's default is left out (`image` is null when the image is gone), so a newer image's
 * defaults apply when it is made again.
 */
export function createInputOf(container: ContainerReadBack, image: RunSettings | null): CreateContainerInput {
  const own = ownSettings(container, image ?? NO_SETTINGS);
  const spec: CreateContainerInput = {
    name: container.name,
    image: container.image,
    env: own.env,
    ports: container.portBindings.flatMap(({ port, bindings }) => {
      const [containerPort = '0', protocol = 'tcp'] = port.split('/');
      return bindings.map(({ hostIp, hostPort }) => ({
        containerPort: Number(containerPort),
        protocol,
        ...(hostPort !== null && { hostPort }),
        ...(hostIp && { hostIp }),
      }));
    }),
    labels: own.labels,
    tty: container.terminal.tty,
  };
  if (own.command && own.command.length > 0) spec.command = own.command;
  const restart = container.restartPolicy;
  if (restart.name !== 'NO') {
    spec.restartPolicy = {
      name: restart.name,
      ...(restart.name === 'ON_FAILURE' && { maximumRetryCount: restart.maximumRetryCount }),
    };
  }
  const check = own.healthcheck;
  if (check && check.test.length > 0) {
    spec.healthcheck = {
      test: check.test,
      ...(check.intervalSeconds && { intervalSeconds: check.intervalSeconds }),
      ...(check.timeoutSeconds && { timeoutSeconds: check.timeoutSeconds }),
      ...(check.retries && { retries: check.retries }),
      ...(check.startPeriodSeconds && { startPeriodSeconds: check.startPeriodSeconds }),
    };
  }
  const { memoryBytes, nanoCpus } = container.resources;
  if (memoryBytes > 0 || nanoCpus > 0) {
    spec.resources = {
      ...(memoryBytes > 0 && { memoryBytes }),
      ...(nanoCpus > 0 && { cpus: nanoCpus / 1_000_000_000 }),
    };
  }
  if (container.privileged) spec.privileged = true;
  if (container.hostNamespaces.length > 0) spec.hostNamespaces = container.hostNamespaces;
  if (container.capAdd.length > 0) spec.capAdd = container.capAdd;
  if (container.devices.length > 0) spec.devices = container.devices;
  if (container.securityOpt.length > 0) spec.securityOpt = container.securityOpt;
  const binds = container.mounts.filter(({ type }) => type === 'bind');
  if (binds.length > 0) {
    spec.mounts = binds.map(({ source, target, readOnly }) => ({
      type: 'BIND' as const,
      source,
      target,
      readOnly,
    }));
  }
  const volumes = container.mounts.filter(({ type }) => type === 'volume');
  if (volumes.length > 0) {
    spec.volumes = volumes.map(({ source, target, readOnly }) => ({ name: source, target, readOnly }));
  }
  const networks = userNetworks(container);
  if (networks.length > 0) spec.networks = networks;
  return spec;
}

/**
 * The user networks it is on, the one it was created on (its network mode) first, with the
 * aliases asked for: Docker adds the short id (and, on newer engines, the name) by itself.
 */
function userNetworks(container: ContainerReadBack): { name: string; aliases: string[] }[] {
  const added = new Set([container.id.slice(0, 12), container.name]);
  return createdOnFirst(
    container.networks.filter(({ name }) => !BUILT_IN_NETWORKS.has(name)),
    container.networkMode,
  ).map(({ name, aliases }) => ({ name, aliases: aliases.filter((alias) => !added.has(alias)) }));
}

/**
 * The containers berth manages (those carrying MANAGED_LABEL, which every container berth creates
 * gets), as the createContainer input that makes each again (createInputOf), read back from the
 * engine, and whether it was running. Restored through ContainerService.create like any create: validated,
 * under the create policy (restored before this section), pulling images the engine lacks, and
 * started when it was running.
 */
export function containersSection(
  containers: Pick<ContainerService, 'list' | 'create'>,
  reader: ContainerReader,
): BackupSection<z.output<typeof schema>> {
  const readOne = async (id: string) => {
    const container = await reader.readBack(id);
    const image = await reader.imageDefaults(container.imageId);
    return {
      name: container.name,
      running: container.running,
      spec: createInputOf(container, image?.settings ?? null),
    };
  };
  return {
    name: 'containers',
    // The create policy governs what may be made again.
    restoreAfter: ['policy'],
    schema,
    async export() {
      // A stack's replicas are in the stacks section, made again from its file.
      const managed = containers
        .list({ label: `${MANAGED_LABEL.name}=${MANAGED_LABEL.value}` })
        .filter((container) => !container.labels.some((label) => label.name === STACK_REPLICA_LABEL))
        .sort((a, b) => a.name.localeCompare(b.name));
      const read = await Promise.all(
        managed.map((container) =>
          // One removed between the list and its read is simply not in the backup.
          readOne(container.id).catch((error: unknown) => {
            if (error instanceof NotFoundError) return null;
            throw error;
          }),
        ),
      );
      return read
        .filter((entry) => entry !== null)
        .map(({ name, running, spec }) => ({
          name,
          running,
          spec: {
            ...spec,
            // berth adds its label to whatever it creates; the spec is what a user asked for.
            labels: (spec.labels ?? []).filter(
              (label) => label.name !== MANAGED_LABEL.name && label.name !== INTENT_LABEL,
            ),
          },
        }));
    },
    async restore(data, report) {
      for (const { name, running, spec } of data) {
        if (containers.list().some((container) => container.name === name)) {
          report.skipped(name, 'a container with this name exists here');
          continue;
        }
        try {
          const validated = validateCreateSpec({ ...spec, name, start: running }, [
            'containers',
            name,
            'spec',
          ]);
          await containers.create(validated);
          report.restored(
            name,
            running ? 'created and started' : 'created, not started (it was not running)',
          );
        } catch (error) {
          const reason =
            error instanceof BerthError
              ? `${error.code}: ${error.message}`
              : `unexpected: ${error instanceof Error ? error.message : String(error)}`;
          report.failed(name, reason);
        }
      }
    },
  };
}
