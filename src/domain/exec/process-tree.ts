import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `pid` and every process below it, read from procfs: an exec's command may have started
 * children (a shell running `sleep`), and killing only the first would leave them running.
 */
export function processTree(pid: number, procRoot = '/proc'): number[] {
  const found: number[] = [];
  const visit = (current: number) => {
    found.push(current);
    let tasks: string[];
    try {
      tasks = readdirSync(join(procRoot, String(current), 'task'));
    } catch {
      return; // gone already
    }
    for (const task of tasks) {
      let children = '';
      try {
        children = readFileSync(join(procRoot, String(current), 'task', task, 'children'), 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(' ').filter(Boolean)) visit(Number(child));
    }
  };
  visit(pid);
  return found;
}
