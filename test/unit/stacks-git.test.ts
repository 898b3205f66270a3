import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutFiles, isInside } from '../../src/domain/stacks/git/checkouts.js';
import { validatePath, validateRef, validateRepository } from '../../src/domain/stacks/git/service.js';

describe('git stack input', () => {
  it('takes the URLs git fetches over the network, and nothing that reaches the local disk or a command', () => {
    for (const url of [
      'https://github.com/acme/app.git',
      'http://127.0.0.1:8080/app.git',
      'git://127.0.0.1:9418/app.git',
      'ssh://git@example.com:2222/acme/app.git',
      'git@github.com:acme/app.git',
      'deploy@git.example.com:/srv/git/app.git',
    ])
      expect(validateRepository(url)).toBe(url);
    for (const url of [
      '/srv/repos/app.git',
      './app',
      'file:///etc',
      'ext::sh -c touch% /tmp/pwned',
      '--upload-pack=touch /tmp/pwned',
      'https://user:secret@example.com/app.git',
      'https://example.com/app.git with space',
      'ssh://-oProxyCommand=touch%20x/app.git',
      'ssh://git@-oProxyCommand=x/app.git',
      '-oProxyCommand=x@host:app.git',
      '',
    ])
      expect(() => validateRepository(url), url).toThrow(/input.repository|repository/);
  });

  it('takes branch and tag names git allows, never an option', () => {
    for (const ref of ['main', 'release/1.2', 'v1.0.0', 'feature_x-y']) expect(validateRef(ref)).toBe(ref);
    for (const ref of [
      '-x',
      '--upload-pack=x',
      'a..b',
      'a b',
      'a:b',
      'a~1',
      'a^',
      'x.lock',
      '/a',
      'a/',
      '@{u}',
      '',
    ])
      expect(() => validateRef(ref), ref).toThrow();
  });

  it('takes a compose path inside the repository only', () => {
    expect(validatePath('deploy/compose.yaml')).toBe('deploy/compose.yaml');
    expect(validatePath('./compose.yaml')).toBe('compose.yaml');
    for (const path of ['/etc/passwd', '../compose.yaml', 'a/../../compose.yaml', 'dir/', ''])
      expect(() => validatePath(path), path).toThrow();
  });
});

describe('a checkout’s files', () => {
  let root: string;
  let outside: string;

  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'berth-outside-'));
    root = await mkdtemp(join(tmpdir(), 'berth-checkout-'));
    await mkdir(join(root, 'deploy'));
    await writeFile(join(root, 'deploy', 'app.env'), 'A=1\n');
    await writeFile(join(outside, 'secret'), 'S=1\n');
    await symlink(outside, join(root, 'out-dir'));
    await symlink(join(outside, 'secret'), join(root, 'deploy', 'out-file'));
    await symlink(join(outside, 'missing'), join(root, 'dangling'));
    await symlink('app.env', join(root, 'deploy', 'in-link'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('holds what is under it once links are followed, including paths not made yet', () => {
    expect(isInside(root, join(root, 'deploy', 'app.env'))).toBe(true);
    expect(isInside(root, join(root, 'data', 'not-yet'))).toBe(true);
    expect(isInside(root, join(root, 'deploy', 'in-link'))).toBe(true);
    expect(isInside(root, join(root, '..'))).toBe(false);
    expect(isInside(root, join(root, 'out-dir', 'secret'))).toBe(false);
    expect(isInside(root, join(root, 'out-dir', 'not-yet'))).toBe(false);
    expect(isInside(root, join(root, 'dangling'))).toBe(false);
    expect(isInside(root, join(root, 'dangling', 'below'))).toBe(false);
  });

  it('reads files relative to the compose file, records them, and refuses one through a link out', () => {
    const files = checkoutFiles(root, 'deploy');
    expect(files.workingDir).toBe(join(root, 'deploy'));
    expect(files.readFile('app.env')).toBe('A=1\n');
    expect(files.readFile('in-link')).toBe('A=1\n');
    expect(files.readFile('none.env')).toBeNull();
    expect(files.readFile('out-file')).toEqual({ problem: expect.stringMatching(/leads out/) });
    expect([...files.read.keys()].sort()).toEqual(['deploy/app.env', 'deploy/in-link']);
  });
});
