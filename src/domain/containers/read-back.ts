import { isDeepStrictEqual } from 'node:util';
import type { HostNamespace, KeyValue, RestartPolicyName } from './model.js';

/**
 * A container read back from the engine (src/engine/read-back.ts), in berth's terms: what it was
 * created with, as far as berth reads it, for whoever makes it again. A backup derives the
 * createContainer input that makes it (domain/backup/sections/containers.ts), a redeploy a copy
 * on another image (domain/redeploy/blueprint.ts).
 *
 * The engine reports a container's settings merged with its image's (the image's env, command,
 * labels and healthcheck appear as the container's own): `ownSettings` tells them apart again.
 */

/** A healthcheck as the engine keeps it. An empty `test` keeps the image's test. */
export interface HealthcheckSetting {
  test: string[];
  intervalSeconds?: number;
  timeoutSeconds?: number;
  retries?: number;
  startPeriodSeconds?: number;
  startIntervalSeconds?: number;
}

/** What a container and its image both set: the image's are the container's defaults. */
export interface RunSettings {
  env: KeyValue[];
  command: string[];
  entrypoint: string[];
  workingDir: string;
  user: string;
  healthcheck: HealthcheckSetting | null;
  labels: KeyValue[];
  /** Ports as the engine keys them, `80/tcp`. */
  exposedPorts: string[];
  /** Where anonymous volumes are mounted (an image's VOLUMEs). */
  volumes: string[];
  stopSignal: string;
  shell: string[];
}

/** An image that sets nothing: what a container's settings are weighed against when its image is gone. */
export const NO_SETTINGS: Readonly<RunSettings> = {
  env: [],
  command: [],
  entrypoint: [],
  workingDir: '',
  user: '',
  healthcheck: null,
  labels: [],
  exposedPorts: [],
  volumes: [],
  stopSignal: '',
  shell: [],
};

/** An image's own settings: the defaults of every container made from it. */
export interface ImageDefaults {
  id: string;
  settings: RunSettings;
}

export interface MountSetting {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ReadBackNetwork {
  name: string;
  /** As the engine lists them: the ones asked for, and the short id (and name) it adds itself. */
  aliases: string[];
  ipv4Address: string | null;
  macAddress: string | null;
}

export interface ContainerReadBack<Carried = unknown> {
  id: string;
  name: string;
  running: boolean;
  /** The image as the container was created with it: a reference, or an id. */
  image: string;
  /** The id of the image it runs. */
  imageId: string;
  /** What it runs with: its own settings, its image's merged in. */
  settings: RunSettings;
  terminal: {
    tty: boolean;
    openStdin: boolean;
    stdinOnce: boolean;
    attachStdin: boolean;
    attachStdout: boolean;
    attachStderr: boolean;
  };
  /** The engine names a container's host after its short id unless told otherwise. */
  hostname: string;
  domainname: string;
  stopTimeoutSeconds: number | null;
  restartPolicy: { name: RestartPolicyName; maximumRetryCount: number };
  /** 0: no limit. */
  resources: { memoryBytes: number; nanoCpus: number };
  privileged: boolean;
  /** Every namespace it shares with the host. */
  hostNamespaces: HostNamespace[];
  capAdd: string[];
  /** Host device paths. */
  devices: string[];
  securityOpt: string[];
  /** Mounts given as `source:target[:options]` (how the CLI's `-v` asks). */
  binds: MountSetting[];
  /** Mounts given as objects (how berth asks): `bind`, `volume`, `tmpfs`… */
  mounts: (MountSetting & { type: string })[];
  /** The named volumes mounted now, the anonymous ones its image's VOLUMEs made included. */
  volumesMounted: (MountSetting & { name: string })[];
  /** The host ports asked for, by container port (`80/tcp`); a null host port is the engine's choice. */
  portBindings: { port: string; bindings: { hostIp: string; hostPort: number | null }[] }[];
  /** `default`, `bridge`, a network's name, `host`, `none` or `container:<id>`. */
  networkMode: string;
  /** Its endpoints, as the engine lists them. */
  networks: ReadBackNetwork[];
  /** The engine's own record of what else it was made with (for a copy): handed back untouched. */
  carried: Carried;
}

/**
 * What a container set itself: each setting equal to its image's default is left out, so that a
 * container made again takes its (perhaps newer) image's defaults, as the engine merges them.
 */
export interface OwnSettings {
  env: KeyValue[];
  labels: KeyValue[];
  exposedPorts: string[];
  volumes: string[];
  command?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  healthcheck?: HealthcheckSetting;
  stopSignal?: string;
  shell?: string[];
}

const entry = ({ name, value }: KeyValue) => `${name}=${value}`;

/**
 * The settings a container has beyond its image's. An exposed port its image exposes too stays
 * when a host port is bound to it.
 */
export function ownSettings(container: ContainerReadBack, image: RunSettings): OwnSettings {
  const settings = container.settings;
  const imageEnv = new Set(image.env.map(entry));
  const imageLabels = new Map(image.labels.map(({ name, value }) => [name, value]));
  const published = new Set(container.portBindings.map(({ port }) => port));
  const own: OwnSettings = {
    env: settings.env.filter((variable) => !imageEnv.has(entry(variable))),
    labels: settings.labels.filter(({ name, value }) => imageLabels.get(name) !== value),
    exposedPorts: settings.exposedPorts.filter(
      (port) => !image.exposedPorts.includes(port) || published.has(port),
    ),
    volumes: settings.volumes.filter((path) => !image.volumes.includes(path)),
  };
  if (!isDeepStrictEqual(settings.command, image.command)) own.command = settings.command;
  if (!isDeepStrictEqual(settings.entrypoint, image.entrypoint)) own.entrypoint = settings.entrypoint;
  if (settings.healthcheck && !isDeepStrictEqual(settings.healthcheck, image.healthcheck)) {
    own.healthcheck = settings.healthcheck;
  }
  if (settings.workingDir !== image.workingDir) own.workingDir = settings.workingDir;
  if (settings.user !== image.user) own.user = settings.user;
  if (settings.stopSignal && settings.stopSignal !== image.stopSignal) own.stopSignal = settings.stopSignal;
  if (settings.shell.length > 0 && !isDeepStrictEqual(settings.shell, image.shell))
    own.shell = settings.shell;
  return own;
}

/**
 * The networks it is on, the one it was created on (its network mode) first, then by name; `mode`
 * is the name the network mode stands for.
 */
export function createdOnFirst<T extends { name: string }>(networks: readonly T[], mode: string): T[] {
  return [...networks].sort((a, b) =>
    a.name === mode ? -1 : b.name === mode ? 1 : a.name.localeCompare(b.name),
  );
}
