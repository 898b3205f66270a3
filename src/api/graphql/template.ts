import {
  EngineRefusedError,
  EnvironmentNotFoundError,
  EngineUnavailableError,
  ImageNotFoundError,
  InvalidInputError,
  NameConflictError,
  PolicyViolationError,
  PortUnavailableError,
  QuotaExceededError,
  RegistryUnavailableError,
  StartFailedError,
  TemplateNotFoundError,
} from '../../shared/errors.js';
import type { ImportItem, Template } from '../../domain/templates/service.js';
import { builder } from './builder.js';
import { ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { CREDENTIAL_ERRORS } from './registry.js';
import {
  ContainerRef,
  CreateContainerInput,
  HealthcheckInput,
  KeyValueInput,
  MountInput,
  NetworkAttachmentInput,
  PortInput,
  ResourcesInput,
  RestartPolicyInput,
  VolumeMountInput,
} from './container.js';
import { ErrorInterface } from './errors.js';

/** Container templates: saved createContainer inputs, and containers made from them. */

builder.objectType(TemplateNotFoundError, {
  name: 'TemplateNotFoundError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('templateName') }),
});

const TemplateRef = builder.objectRef<Template>('Template').implement({
  description: 'A saved container spec.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    image: t.string({ resolve: (template) => template.spec.image }),
    spec: t.field({
      type: 'JSONObject',
      description:
        'The spec as saved: a CreateContainerInput (createContainer takes it as its input), without null fields.',
      resolve: (template) => template.spec,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (template) => template.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (template) => template.updatedAt }),
  }),
});

const ContainerOverridesInput = builder.inputType('ContainerOverridesInput', {
  description:
    'What createContainerFromTemplate changes in the template: env and labels merge by name (same name: ' +
    'the value is replaced; new names are added), resources merge by field, and any other field given ' +
    'replaces the template’s whole (ports: [] publishes nothing). Fields left out keep the template’s.',
  fields: (t) => ({
    name: t.string(),
    image: t.string(),
    env: t.field({ type: [KeyValueInput] }),
    ports: t.field({ type: [PortInput] }),
    command: t.stringList(),
    restartPolicy: t.field({ type: RestartPolicyInput }),
    healthcheck: t.field({ type: HealthcheckInput }),
    labels: t.field({ type: [KeyValueInput] }),
    resources: t.field({ type: ResourcesInput }),
    mounts: t.field({ type: [MountInput] }),
    networks: t.field({ type: [NetworkAttachmentInput] }),
    volumes: t.field({ type: [VolumeMountInput] }),
    tty: t.boolean(),
    start: t.boolean(),
  }),
});

const ImportOutcomeEnum = builder.enumType('TemplateImportOutcome', {
  values: {
    CREATED: { value: 'created' },
    REPLACED: { value: 'replaced' },
    SKIPPED: { value: 'skipped', description: 'The name exists and replace was false.' },
    INVALID: { value: 'invalid', description: 'The entry failed validation; reason says which field.' },
  } as const,
});

const ImportItemRef = builder.objectRef<ImportItem>('TemplateImportItem').implement({
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The template’s name, or #<index> when it has none.' }),
    outcome: t.field({ type: ImportOutcomeEnum, resolve: (item) => item.outcome }),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

const count = (items: readonly ImportItem[], outcome: ImportItem['outcome']) =>
  items.filter((item) => item.outcome === outcome).length;

const ImportResultRef = builder.objectRef<ImportItem[]>('TemplateImport').implement({
  fields: (t) => ({
    items: t.field({ type: [ImportItemRef], resolve: (items) => items }),
    created: t.int({ resolve: (items) => count(items, 'created') }),
    replaced: t.int({ resolve: (items) => count(items, 'replaced') }),
    skipped: t.int({ resolve: (items) => count(items, 'skipped') }),
    invalid: t.int({ resolve: (items) => count(items, 'invalid') }),
  }),
});

builder.queryFields((t) => ({
  templates: t.field({
    type: [TemplateRef],
    description: 'Every template, by name.',
    resolve: (_, __, { templates }) => templates.list(),
  }),
  template: t.field({
    type: TemplateRef,
    nullable: true,
    description: 'null when no template has the name.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_, { name }, { templates }) => {
      try {
        return templates.get(name);
      } catch (error) {
        if (error instanceof TemplateNotFoundError) return null;
        throw error;
      }
    },
  }),
  exportTemplates: t.field({
    type: 'JSONObject',
    description:
      'Every template as one document ({ format: "berth-templates", version: 1, exportedAt, templates }) that importTemplates takes back.',
    resolve: (_, __, { templates }) => templates.export(),
  }),
}));

builder.mutationFields((t) => ({
  saveTemplate: t.field({
    type: TemplateRef,
    description:
      'Creates the template, or replaces the spec and description of the one with this name. The spec is validated as createContainer validates its input; the create policy is checked when a container is made from it.',
    args: {
      name: t.arg.string({ required: true }),
      description: t.arg.string(),
      spec: t.arg({ type: CreateContainerInput, required: true }),
    },
    errors: { dataField: { name: 'template' }, types: [InvalidInputError] },
    resolve: (_, { name, description, spec }, { templates }) => templates.save({ name, description, spec }),
  }),
  deleteTemplate: t.field({
    type: TemplateRef,
    description: 'Returns the template as it was.',
    args: { name: t.arg.string({ required: true }) },
    errors: { dataField: { name: 'template' }, types: [InvalidInputError, TemplateNotFoundError] },
    resolve: (_, { name }, { templates }) => templates.delete(name),
  }),
  createContainerFromTemplate: t.field({
    type: ContainerRef,
    description:
      'Creates a container from the template with the overrides merged in (see ContainerOverridesInput), exactly as createContainer would create it: validation, create policy, quota, default limits and pulls apply.',
    args: {
      name: t.arg.string({ required: true }),
      overrides: t.arg({ type: ContainerOverridesInput }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    errors: {
      dataField: { name: 'container' },
      types: [
        InvalidInputError,
        TemplateNotFoundError,
        NameConflictError,
        ImageNotFoundError,
        RegistryUnavailableError,
        ...CREDENTIAL_ERRORS,
        PortUnavailableError,
        StartFailedError,
        PolicyViolationError,
        QuotaExceededError,
        EngineUnavailableError,
        EngineRefusedError,
        EnvironmentNotFoundError,
      ],
    },
    resolve: (_, { name, overrides, environment }, context) =>
      context.templates.createContainer(
        name,
        overrides,
        {
          tokenId: context.principal?.tokenId ?? null,
          tokenName: context.principal?.name ?? null,
          action: 'createContainerFromTemplate',
        },
        environmentOf(context, environment).containers,
      ),
  }),
  importTemplates: t.field({
    type: ImportResultRef,
    description:
      'Saves the templates of an exportTemplates document, each on its own: an existing name is skipped unless replace, an invalid entry is reported and the others still go in. A document of another format or version is INVALID_INPUT.',
    args: {
      document: t.arg({ type: 'JSONObject', required: true }),
      replace: t.arg.boolean({ defaultValue: false }),
    },
    errors: { dataField: { name: 'result' }, types: [InvalidInputError] },
    resolve: (_, { document, replace }, { templates }) =>
      templates.import(document, { replace: replace ?? false }),
  }),
}));
