// A Node.js base image made on this machine, for building berth's Dockerfile where no registry
// is reachable (the Dockerfile's BASE_IMAGE build argument). It holds what `node:20-bookworm-slim`
// would give the build: node and npm (this machine's own, with the libraries node links), a
// shell and coreutils (static busybox), and, because the build cannot download anything, npm's
// cache from this machine plus better-sqlite3's native module as a local prebuild. Nothing is
// fetched: everything comes from files already here after `npm ci`.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile, chmod, copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { testDocker } from '../harness/docker.js';
import { findExecutable, importRootfs } from '../harness/engine.js';

const execFileAsync = promisify(execFile);

/**
 * Its tag names the lock file it was made for: its npm cache holds that lock file's packages, so a
 * dependency added later makes a new base rather than a build that cannot find the package.
 */
const NODE_BASE_IMAGE = `berth-test/node-base:20-${createHash('sha256')
  .update(readFileSync('package-lock.json'))
  .digest('hex')
  .slice(0, 12)}`;

/** Where prebuild-install looks for a package's prebuilt binary before it would download one. */
const PREBUILDS_DIR = '/opt/prebuilds';

/** Imports {@link NODE_BASE_IMAGE} into the engine unless it is there already; returns its name. */
export async function ensureNodeBaseImage(dockerHost: string): Promise<string> {
  const docker = testDocker(dockerHost);
  const present = await docker
    .getImage(NODE_BASE_IMAGE)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (present) return NODE_BASE_IMAGE;

  const rootfs = await mkdtemp('/tmp/berth-node-base-');
  try {
    await writeRootfs(rootfs);
    await importRootfs(docker, rootfs, NODE_BASE_IMAGE, [
      'ENV PATH=/usr/local/bin:/usr/bin:/bin HOME=/root',
      // npm installs from the cache copied in, and never asks the registry.
      'ENV npm_config_cache=/root/.npm npm_config_offline=true npm_config_update_notifier=false',
      `ENV npm_config_better_sqlite3_local_prebuilds=${PREBUILDS_DIR}`,
      'CMD ["node"]',
    ]);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  return NODE_BASE_IMAGE;
}

async function writeRootfs(rootfs: string): Promise<void> {
  const busybox = await required('busybox');
  const node = await required('node');
  const npmCli = await required('npm');

  // A shell and the usual commands (RUN lines and npm scripts need sh, env, mkdir, chown, rm).
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await copyFile(busybox, join(rootfs, 'bin', 'busybox'));
  await chmod(join(rootfs, 'bin', 'busybox'), 0o755);
  const { stdout: applets } = await execFileAsync(busybox, ['--list']);
  await Promise.all(
    applets
      .split('\n')
      .map((name) => name.trim())
      .filter((name) => name !== '' && name !== 'busybox')
      .map((name) => symlink('busybox', join(rootfs, 'bin', name))),
  );
  // npm's scripts start with #!/usr/bin/env node.
  await mkdir(join(rootfs, 'usr', 'bin'), { recursive: true });
  await symlink('/bin/busybox', join(rootfs, 'usr', 'bin', 'env'));

  // node, and every library that node or a native module of berth's dependencies links (rollup's
  // also wants librt), at the same paths.
  await copyInto(rootfs, node, join('/usr/bin', 'node'));
  const { stdout: modules } = await execFileAsync('find', ['node_modules', '-name', '*.node', '-type', 'f']);
  const binaries = [node, ...modules.split('\n').filter((path) => path !== '')];
  const libraries = new Set((await Promise.all(binaries.map(sharedLibraries))).flat());
  for (const library of libraries) await copyInto(rootfs, library, library);

  // npm as this machine has it (npm is a package beside node, not a binary).
  const npmRoot = await npmPackageRoot(npmCli);
  await cp(npmRoot, join(rootfs, 'usr', 'lib', 'node_modules', 'npm'), { recursive: true });
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr', 'bin', 'npm'));
  await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr', 'bin', 'npx'));

  // The packages berth's lock file names, from the cache `npm ci` filled on this machine.
  const { stdout: cache } = await execFileAsync('npm', ['config', 'get', 'cache']);
  await cp(join(cache.trim(), '_cacache'), join(rootfs, 'root', '.npm', '_cacache'), { recursive: true });

  // better-sqlite3 would download a prebuilt binary or compile one (python, make, g++); this
  // machine already built it for the same node, so it is handed over as prebuild-install's
  // local prebuild.
  await writeBetterSqlitePrebuild(join(rootfs, PREBUILDS_DIR.slice(1)));

  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await writeFile(
    join(rootfs, 'etc', 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n',
  );
  await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\nnode:x:1000:\n');
  await mkdir(join(rootfs, 'home', 'node'), { recursive: true });
  await mkdir(join(rootfs, 'tmp'));
  await chmod(join(rootfs, 'tmp'), 0o1777);
}

async function required(command: string): Promise<string> {
  const path = await findExecutable(command);
  if (path === undefined) throw new Error(`cannot make ${NODE_BASE_IMAGE}: \`${command}\` is not on PATH`);
  return path;
}

async function copyInto(rootfs: string, from: string, to: string): Promise<void> {
  await mkdir(join(rootfs, dirname(to)), { recursive: true });
  await copyFile(from, join(rootfs, to));
  await chmod(join(rootfs, to), 0o755);
}

/** The absolute paths `ldd` lists for a binary, the dynamic loader included. */
async function sharedLibraries(binary: string): Promise<string[]> {
  // A module built for another platform (an optional dependency) is not a dynamic executable here.
  const { stdout } = await execFileAsync('ldd', [binary]).catch(() => ({ stdout: '' }));
  return [...stdout.matchAll(/(\/\S+)\s+\(0x/g)].map((match) => match[1] as string);
}

async function npmPackageRoot(npmCli: string): Promise<string> {
  const { stdout } = await execFileAsync('readlink', ['-f', npmCli]);
  // …/node_modules/npm/bin/npm-cli.js
  return dirname(dirname(stdout.trim()));
}

async function writeBetterSqlitePrebuild(directory: string): Promise<void> {
  const packageDir = join(process.cwd(), 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await mkdir(directory, { recursive: true });
  await execFileAsync('tar', [
    '-C',
    packageDir,
    '-czf',
    join(directory, name),
    'build/Release/better_sqlite3.node',
  ]);
}
