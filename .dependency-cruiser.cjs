// The layer rules of docs/architecture.md, checked on every `npm test` (npm run lint).
// Layers, lowest first: shared -> platform -> domain -> engine | api -> the composition root
// (src/app.ts, src/main.ts). A layer imports only from the layers below it.

/** A path regex for one layer's folder. */
const layer = (name) => `^src/${name}/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-imports-nothing',
      comment:
        'The shared kernel (error catalog, logger, stream and validation primitives) is what every layer uses; it uses none of them.',
      severity: 'error',
      from: { path: layer('shared') },
      to: { path: '^src/', pathNot: layer('shared') },
    },
    {
      name: 'platform-below-domain',
      comment:
        'The platform (configuration, store, auth, audit) serves the layers above it and knows none of them.',
      severity: 'error',
      from: { path: layer('platform') },
      to: { path: '^src/', pathNot: [layer('platform'), layer('shared')] },
    },
    {
      name: 'domain-knows-no-adapter',
      comment:
        'The domain holds rules and models. It reaches the engine through the ports it declares, and knows nothing of GraphQL, HTTP or dockerode.',
      severity: 'error',
      from: { path: layer('domain') },
      to: { path: '^src/', pathNot: [layer('domain'), layer('platform'), layer('shared')] },
    },
    {
      name: 'engine-translates-only',
      comment:
        'The engine gateway implements the domain ports; it never reaches up into the API or the composition root.',
      severity: 'error',
      from: { path: layer('engine') },
      to: { path: '^src/', pathNot: [layer('engine'), layer('domain'), layer('platform'), layer('shared')] },
    },
    {
      name: 'api-goes-through-the-domain',
      comment: 'GraphQL, REST and HTTP call the domain services; the engine is reached only through them.',
      severity: 'error',
      from: { path: layer('api') },
      to: { path: '^src/', pathNot: [layer('api'), layer('domain'), layer('platform'), layer('shared')] },
    },
    {
      name: 'nothing-imports-the-root',
      comment:
        'src/app.ts composes; src/main.ts (the server) and src/token.ts (npm run token) start; nothing depends on them.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main|token)\\.ts$' },
      to: { path: '^src/(app|main|token)\\.ts$' },
    },
    {
      name: 'dockerode-only-in-the-engine',
      comment:
        'Only the engine gateway speaks to Docker (and over SSH to it); everything above it speaks in berth types.',
      severity: 'error',
      from: { path: '^src/', pathNot: layer('engine') },
      to: { path: '(^|/)node_modules/(dockerode|docker-modem|ssh2)/' },
    },
    {
      name: 'no-graphql-in-the-domain',
      comment:
        'The domain knows no schema or transport: GraphQL, Yoga, Pothos and WebSocket libraries belong to the API.',
      severity: 'error',
      from: { path: `${layer('domain')}|${layer('engine')}|${layer('platform')}|${layer('shared')}` },
      to: { path: '(^|/)node_modules/(graphql|graphql-yoga|graphql-ws|@pothos|@envelop|ws)/' },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'Folders that import each other are one concern in two places: move what both need below them.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-cycles',
      comment: 'Modules that import each other cannot be understood, tested or moved apart.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
