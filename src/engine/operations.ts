/**
 * Every kind of call berth makes to the Docker Engine: the `operation` label of
 * `berth_docker_call_duration_seconds`, and what the error mapping (errors.ts) keys on. A call of
 * a kind not listed here cannot be made (EngineCalls#run takes only these), and a test
 * (test/integration/engine-calls.test.ts, with swarm.test.ts for the swarm kinds) provokes each one.
 *
 * The container kinds keep the bare names they have had on the metric since it first appeared.
 */

export const CONTAINER_OPERATIONS = [
  'list',
  'inspect',
  'create',
  'start',
  'stop',
  'restart',
  'remove',
  'rename',
  // The past output, read whole.
  'logs',
  // A followed log stream, timed until it is open.
  'logs.follow',
  // A container's stats stream (the engine stats API source), timed until it is open.
  'stats',
  'exec.create',
  // Attaches to the command's output, timed until the stream is open.
  'exec.start',
  'exec.inspect',
  // A terminal session's size (src/engine/terminal.ts).
  'exec.resize',
  // A path's stat in the container's filesystem (HEAD /containers/{id}/archive): a terminal's shell looked for.
  'archive.stat',
] as const;

export const SYSTEM_OPERATIONS = [
  'ping',
  'info',
  'version',
  // The `/events` stream, timed until it is open (each reconnect is a call).
  'events',
] as const;

export const IMAGE_OPERATIONS = [
  'image.list',
  'image.inspect',
  // Timed until the progress stream is open; a failure while reading it is mapped all the same.
  'image.pull',
  'image.remove',
  'image.prune',
] as const;

export const NETWORK_OPERATIONS = [
  'network.list',
  'network.inspect',
  'network.create',
  'network.remove',
  'network.connect',
  'network.disconnect',
] as const;

export const VOLUME_OPERATIONS = [
  'volume.list',
  'volume.inspect',
  'volume.create',
  'volume.remove',
  'volume.prune',
] as const;

/** Only a swarm manager answers these. */
export const SWARM_OPERATIONS = [
  'node.list',
  'service.list',
  'service.inspect',
  'service.create',
  'service.update',
  'service.rollback',
  'service.remove',
  'task.list',
] as const;

export const ENGINE_OPERATIONS = [
  ...CONTAINER_OPERATIONS,
  ...SYSTEM_OPERATIONS,
  ...IMAGE_OPERATIONS,
  ...NETWORK_OPERATIONS,
  ...VOLUME_OPERATIONS,
  ...SWARM_OPERATIONS,
] as const;

export type Operation = (typeof ENGINE_OPERATIONS)[number];
export type NetworkOperation = (typeof NETWORK_OPERATIONS)[number];
export type VolumeOperation = (typeof VOLUME_OPERATIONS)[number];
export type SwarmOperation = (typeof SWARM_OPERATIONS)[number];

const among =
  <T extends Operation>(kinds: readonly T[]) =>
  (operation: Operation): operation is T =>
    (kinds as readonly Operation[]).includes(operation);

export const isNetworkOperation = among(NETWORK_OPERATIONS);
export const isVolumeOperation = among(VOLUME_OPERATIONS);
export const isSwarmOperation = among(SWARM_OPERATIONS);
