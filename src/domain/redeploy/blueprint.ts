import type { KeyValue, Privileges } from '../containers/model.js';
import {
  NO_SETTINGS,
  createdOnFirst,
  ownSettings,
  type ContainerReadBack,
  type HealthcheckSetting,
  type ImageDefaults,
  type OwnSettings,
  type RunSettings,
} from '../containers/read-back.js';
import type {
  AttachedNetwork,
  CloneTemplate,
  ContainerBlueprint,
  EffectiveSpec,
  FixedHostPort,
  HealthcheckSummary,
} from './model.js';

/**
 * What a redeploy learns of a container from its read-back (pure functions): the blueprint of a
 * copy, and what a copy on another image would run with, as the engine merges a container's
 * settings with its image's.
 */

/** Names the engine gives networks of its own: the default bridge has no embedded DNS. */
const BUILT_IN = new Set(['bridge', 'host', 'none', 'default']);

/** The container's network endpoints (Docker's own short-id alias left out), the one it was created on first. */
export function attachedNetworks(container: ContainerReadBack): AttachedNetwork[] {
  const shortId = container.id.slice(0, 12);
  const mode = container.networkMode === 'default' ? 'bridge' : container.networkMode;
  return createdOnFirst(
    container.networks.map((network) => ({
      name: network.name,
      aliases: network.aliases.filter((alias) => alias !== shortId),
      ipv4Address: network.ipv4Address,
      macAddress: network.macAddress,
      dns: !BUILT_IN.has(network.name),
    })),
    mode,
  );
}

function networkModeOf(mode: string): ContainerBlueprint['networkMode'] {
  if (mode === 'host') return 'HOST';
  if (mode === 'none') return 'NONE';
  if (mode.startsWith('container:')) return 'SHARED';
  return 'OWN';
}

/**
 * What the create policy weighs. The cgroup namespace is not weighed: a copy gets a private one
 * unless asked otherwise (CloneRequest.privateCgroupns), as berth's own creates do.
 */
function privilegesOf(
  container: ContainerReadBack,
  carriedVolumes: CloneTemplate['carriedVolumes'],
): Privileges {
  return {
    privileged: container.privileged,
    hostNamespaces: container.hostNamespaces.filter((namespace) => namespace !== 'CGROUP'),
    capAdd: container.capAdd,
    devices: container.devices,
    securityOpt: container.securityOpt,
    mounts: [
      // A bind's source that is not a path names a volume.
      ...container.binds
        .filter(({ source }) => source.startsWith('/'))
        .map((bind) => ({ type: 'bind' as const, ...bind })),
      ...container.mounts.flatMap(({ type, source, target, readOnly }) =>
        type === 'bind' || type === 'volume'
          ? [{ type: type as 'bind' | 'volume', source, target, readOnly }]
          : [],
      ),
      ...carriedVolumes.map(({ name, target, readOnly }) => ({
        type: 'volume' as const,
        source: name,
        target,
        readOnly,
      })),
    ],
  };
}

function fixedHostPortsOf(container: ContainerReadBack): FixedHostPort[] {
  return container.portBindings.flatMap(({ port, bindings }) => {
    const [containerPort = '0', protocol = 'tcp'] = port.split('/');
    return bindings.flatMap(({ hostIp, hostPort }) =>
      hostPort === null || hostPort === 0
        ? []
        : [{ containerPort: Number(containerPort), protocol, hostIp, hostPort }],
    );
  });
}

/**
 * The container read back as what a replacement needs. `image` is its image's settings, null
 * when the image is gone (removed with force): then nothing tells its defaults from the
 * container's own, and all of it is kept.
 */
export function blueprintOf<Carried>(
  container: ContainerReadBack<Carried>,
  image: RunSettings | null,
): ContainerBlueprint<Carried> {
  const own = ownSettings(container, image ?? NO_SETTINGS);
  const networks = attachedNetworks(container);
  // Volumes its image's VOLUMEs made (anonymous ones) move to the copy by name, data and all.
  const covered = new Set([...container.mounts, ...container.binds].map(({ target }) => target));
  const carriedVolumes = container.volumesMounted
    .filter(({ target }) => !covered.has(target))
    .map(({ name, target, readOnly }) => ({ name, target, readOnly }));
  return {
    id: container.id,
    name: container.name,
    running: container.running,
    networkMode: networkModeOf(container.networkMode),
    networks,
    fixedHostPorts: fixedHostPortsOf(container),
    ownEnv: own.env,
    effective: effectiveOf(container.settings, container.image, container.imageId),
    privileges: privilegesOf(container, carriedVolumes),
    template: {
      own,
      terminal: container.terminal,
      hostname:
        container.hostname && container.hostname !== container.id.slice(0, 12) ? container.hostname : null,
      domainname: container.domainname || null,
      stopTimeoutSeconds: container.stopTimeoutSeconds,
      carriedVolumes,
      networks: networks.map(({ name }) => name),
      carried: container.carried,
    },
  };
}

/** The engine's merge of a container's own settings with its image's (the daemon's `merge`). */
export function mergeWithImage(own: OwnSettings, image: RunSettings): RunSettings {
  const ownNames = new Set(own.env.map(({ name }) => name));
  const inheritsCommand = (own.entrypoint ?? []).length === 0;
  let healthcheck: HealthcheckSetting | null = own.healthcheck ?? image.healthcheck;
  // An own healthcheck without a test keeps the image's test, with its own timings where it sets them.
  if (own.healthcheck && own.healthcheck.test.length === 0 && image.healthcheck) {
    healthcheck = {
      ...image.healthcheck,
      ...Object.fromEntries(
        Object.entries(own.healthcheck).filter(([key, value]) => key !== 'test' && value),
      ),
    };
  }
  const labels = new Map(image.labels.map(({ name, value }) => [name, value]));
  for (const { name, value } of own.labels) labels.set(name, value);
  return {
    env: [...own.env, ...image.env.filter(({ name }) => !ownNames.has(name))],
    command: inheritsCommand && (own.command ?? []).length === 0 ? image.command : (own.command ?? []),
    entrypoint: inheritsCommand ? image.entrypoint : (own.entrypoint ?? []),
    workingDir: own.workingDir || image.workingDir,
    user: own.user || image.user,
    healthcheck,
    labels: [...labels].map(([name, value]) => ({ name, value })),
    exposedPorts: [...new Set([...image.exposedPorts, ...own.exposedPorts])],
    volumes: [...new Set([...image.volumes, ...own.volumes])],
    stopSignal: own.stopSignal || image.stopSignal,
    shell: own.shell ?? image.shell,
  };
}

function summaryOf(check: HealthcheckSetting | null): HealthcheckSummary | null {
  const test = check?.test ?? [];
  if (test.length === 0 || test[0] === 'NONE') return null;
  return {
    test,
    intervalSeconds: check?.intervalSeconds || null,
    timeoutSeconds: check?.timeoutSeconds || null,
    retries: check?.retries || null,
    startPeriodSeconds: check?.startPeriodSeconds || null,
  };
}

const byName = (a: KeyValue, b: KeyValue) => a.name.localeCompare(b.name);

/** Settings as a redeploy's plan compares them. */
export function effectiveOf(settings: RunSettings, image: string, imageId: string | null): EffectiveSpec {
  return {
    image,
    imageId,
    env: settings.env,
    command: settings.command,
    entrypoint: settings.entrypoint,
    workingDir: settings.workingDir,
    user: settings.user,
    healthcheck: summaryOf(settings.healthcheck),
    labels: [...settings.labels].sort(byName),
    exposedPorts: [...settings.exposedPorts].sort(),
  };
}

/**
 * What a copy made from `template` with `image` and `env` would run with: the container's own
 * settings merged with the image's `defaults`. Without them (the image is pulled first, or they
 * are left out on purpose) only what the container sets itself is known.
 */
export function previewOf(
  template: CloneTemplate,
  image: string,
  env: readonly KeyValue[],
  defaults: ImageDefaults | null,
): EffectiveSpec {
  const own = { ...template.own, env: [...env] };
  return effectiveOf(mergeWithImage(own, defaults?.settings ?? NO_SETTINGS), image, defaults?.id ?? null);
}
