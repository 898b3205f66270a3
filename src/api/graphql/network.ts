import {
  AmbiguousIdError,
  BuiltInNetworkError,
  EngineUnavailableError,
  EnvironmentNotFoundError,
  InvalidInputError,
  InvalidStateError,
  NetworkExistsError,
  NetworkInUseError,
  NetworkNotFoundError,
  NotFoundError,
  NotSwarmManagerError,
  SubnetOverlapError,
} from '../../shared/errors.js';
import { validateContainerRef } from '../../domain/lifecycle/validation.js';
import { NETWORK_DRIVERS, type Network, type NetworkIpam } from '../../domain/networks/model.js';
import type { NetworkConnection } from '../../domain/networks/service.js';
import {
  validateAliases,
  validateCreateNetwork,
  validateNetworkFilter,
  validateNetworkRef,
} from '../../domain/networks/validation.js';
import { builder } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf, inEnvironment, type InEnvironment } from './environment-scope.js';
import { ContainerRef, KeyValueInput, KeyValueRef } from './container.js';
import { ErrorInterface } from './errors.js';

/** The network domain: networks on the engine, and containers joining and leaving them. */

const NetworkDriverEnum = builder.enumType('NetworkDriver', {
  values: {
    BRIDGE: { description: 'A network on this engine’s host.' },
    OVERLAY: { description: 'A network across a swarm’s nodes; needs the engine to be a swarm manager.' },
  } satisfies Record<(typeof NETWORK_DRIVERS)[number], unknown>,
});

const NetworkIpamRef = builder.objectRef<NetworkIpam>('NetworkIpam').implement({
  description: 'One address range of a network.',
  fields: (t) => ({
    subnet: t.exposeString('subnet', { description: 'CIDR, e.g. `10.10.0.0/24`.' }),
    gateway: t.exposeString('gateway', {
      nullable: true,
      description:
        'Null when the network was created with a subnet and no gateway: the engine then takes the ' +
        'subnet’s first host address (each container’s `networks` shows the gateway it uses).',
    }),
  }),
});

export const NetworkRef = builder.objectRef<InEnvironment<Network>>('Network').implement({
  fields: (t) => ({
    environment: t.exposeString('environment', { description: 'The environment (Docker host) it is on.' }),
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    driver: t.exposeString('driver', {
      description: 'The engine’s word: bridge, overlay, host, null (the `none` network), macvlan, …',
    }),
    scope: t.exposeString('scope', { description: '`local`, or `swarm` for a network across nodes.' }),
    internal: t.exposeBoolean('internal', {
      description: 'No route out: its containers reach each other only.',
    }),
    attachable: t.exposeBoolean('attachable', {
      description: 'Standalone containers may join it (an overlay network’s choice).',
    }),
    builtIn: t.exposeBoolean('builtIn', {
      description: 'One of the engine’s own networks (bridge, host, none), which cannot be removed.',
    }),
    labels: t.field({ type: [KeyValueRef], resolve: (n) => n.labels }),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.createdAt }),
    ipam: t.field({
      type: [NetworkIpamRef],
      description:
        'Its address ranges: the subnet it was created with, or the one the engine picked from its ' +
        'address pools (the engine lists both alike).',
      resolve: (n) => n.ipam,
    }),
    containers: t.field({
      type: [ContainerRef],
      description:
        'Containers attached to it, running or not, newest first; each one’s `networks` says its ' +
        'aliases and address here.',
      resolve: (n, _, { environments }) => environments.get(n.environment).networks.containersOn(n.id),
    }),
  }),
});

const NetworkConnectionRef = builder
  .objectRef<InEnvironment<NetworkConnection>>('NetworkConnection')
  .implement({
    fields: (t) => ({
      network: t.field({ type: NetworkRef, resolve: (c) => inEnvironment(c.network, c.environment) }),
      container: t.field({
        type: ContainerRef,
        description: 'The container afterwards, with its networks.',
        resolve: (c) => c.container,
      }),
    }),
  });

builder.objectType(NetworkNotFoundError, {
  name: 'NetworkNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    reference: t.exposeString('reference', { description: 'The id, prefix or name that matched nothing.' }),
  }),
});
builder.objectType(NetworkExistsError, {
  name: 'NetworkExistsError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('networkName') }),
});
builder.objectType(NetworkInUseError, {
  name: 'NetworkInUseError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    name: t.exposeString('network'),
    containers: t.stringList({
      description: 'Ids of the attached containers berth knows of.',
      resolve: (error) => [...error.containers],
    }),
  }),
});
builder.objectType(BuiltInNetworkError, {
  name: 'BuiltInNetworkError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('network') }),
});
builder.objectType(NotSwarmManagerError, { name: 'NotSwarmManagerError', interfaces: [ErrorInterface] });
builder.objectType(SubnetOverlapError, {
  name: 'SubnetOverlapError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    subnet: t.exposeString('subnet', { description: 'The subnet asked for.' }),
    networks: t.stringList({
      description: 'Names of the networks whose subnets share addresses with it, as the engine lists them.',
      resolve: (error) => [...error.networks],
    }),
  }),
});

const NetworkFilterInput = builder.inputType('NetworkFilter', {
  fields: (t) => ({
    name: t.string({ description: 'Part of the name.' }),
    label: t.string({ description: '`key` or `key=value`.' }),
  }),
});

builder.queryFields((t) => ({
  networks: t.field({
    type: [NetworkRef],
    description: 'The engine’s networks, its own (bridge, host, none) included, by name.',
    args: { filter: t.arg({ type: NetworkFilterInput }), environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: async (_, { filter, environment }, context) => {
      const found = await environmentOf(context, environment).networks.list(validateNetworkFilter(filter));
      return found.map((network) => inEnvironment(network, environment));
    },
  }),
  network: t.field({
    type: NetworkRef,
    nullable: true,
    description: 'By full id, unique id prefix or name; null when nothing matches.',
    args: { id: t.arg.string({ required: true }), environment: t.arg.string(ENVIRONMENT_ARG) },
    resolve: async (_, { id, environment }, context) => {
      const found = await environmentOf(context, environment).networks.find(validateNetworkRef(id, 'id'));
      return found && inEnvironment(found, environment);
    },
  }),
}));

const connectionErrors = [
  InvalidInputError,
  NetworkNotFoundError,
  NotFoundError,
  AmbiguousIdError,
  InvalidStateError,
  EngineUnavailableError,
  EnvironmentNotFoundError,
];

builder.mutationFields((t) => ({
  createNetwork: t.field({
    type: NetworkRef,
    description:
      'Creates a network. Containers on one user network reach each other by name and by their ' +
      'aliases there. OVERLAY needs the engine to be a swarm manager (NOT_SWARM_MANAGER otherwise). ' +
      'With a `subnet`, containers may be given fixed addresses on it, which a redeploy needs to hand ' +
      'over without a failed request; without one, the engine picks a free range from its pools ' +
      '(INVALID_STATE when none is left).',
    args: {
      name: t.arg.string({ required: true }),
      driver: t.arg({ type: NetworkDriverEnum, defaultValue: 'BRIDGE' }),
      internal: t.arg.boolean({ defaultValue: false, description: 'No route out of the network.' }),
      attachable: t.arg.boolean({
        defaultValue: false,
        description: 'Let standalone containers join an OVERLAY network.',
      }),
      labels: t.arg({ type: [KeyValueInput] }),
      subnet: t.arg.string({
        description:
          'CIDR: IPv4 (`10.10.0.0/24`, up to /30) or IPv6 (up to /126; it turns the network’s IPv6 ' +
          'on, and the engine adds an IPv4 subnet of its own choosing). Overlapping another ' +
          'network’s: SUBNET_OVERLAP.',
      }),
      gateway: t.arg.string({
        description:
          'An address inside `subnet`, of its family, neither its first nor its last; without it the ' +
          'engine takes the first host address (`10.10.0.1` in `10.10.0.0/24`).',
      }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      dataField: { name: 'network' },
      types: [
        InvalidInputError,
        NetworkExistsError,
        SubnetOverlapError,
        NotSwarmManagerError,
        EngineUnavailableError,
        EnvironmentNotFoundError,
      ],
    },
    resolve: async (_, { environment, ...args }, context) =>
      inEnvironment(
        await environmentOf(context, environment).networks.create(validateCreateNetwork(args)),
        environment,
      ),
  }),
  removeNetwork: t.field({
    type: NetworkRef,
    description:
      'Removes a network and returns it as it was. Refused while any container is attached, ' +
      'running or not (NETWORK_IN_USE), and for the engine’s own networks (BUILT_IN_NETWORK).',
    args: {
      id: t.arg.string({ required: true, description: 'Full id, unique id prefix or name.' }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      dataField: { name: 'network' },
      types: [
        InvalidInputError,
        NetworkNotFoundError,
        BuiltInNetworkError,
        NetworkInUseError,
        EngineUnavailableError,
        EnvironmentNotFoundError,
      ],
    },
    resolve: async (_, { id, environment }, context) =>
      inEnvironment(
        await environmentOf(context, environment).networks.remove(validateNetworkRef(id, 'id')),
        environment,
      ),
  }),
  connectContainer: t.field({
    type: NetworkConnectionRef,
    description:
      'Attaches a container (running or not) to a network; `aliases` are more names it answers ' +
      'to there, besides its own. Already attached: INVALID_STATE.',
    args: {
      network: t.arg.string({ required: true }),
      container: t.arg.string({ required: true }),
      aliases: t.arg.stringList(),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { directResult: true, types: connectionErrors },
    resolve: async (_, args, context) =>
      inEnvironment(
        await environmentOf(context, args.environment).networks.connect(
          validateNetworkRef(args.network),
          validateContainerRef(args.container, 'container'),
          validateAliases(args.aliases),
        ),
        args.environment,
      ),
  }),
  disconnectContainer: t.field({
    type: NetworkConnectionRef,
    description: 'Detaches a container from a network. Not attached: INVALID_STATE.',
    args: {
      network: t.arg.string({ required: true }),
      container: t.arg.string({ required: true }),
      force: t.arg.boolean({
        defaultValue: false,
        description: 'Drop the endpoint even when the engine cannot clean up the container’s side.',
      }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: { directResult: true, types: connectionErrors },
    resolve: async (_, args, context) =>
      inEnvironment(
        await environmentOf(context, args.environment).networks.disconnect(
          validateNetworkRef(args.network),
          validateContainerRef(args.container, 'container'),
          args.force ?? false,
        ),
        args.environment,
      ),
  }),
}));
