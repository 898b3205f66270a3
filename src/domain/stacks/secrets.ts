/**
 * What a viewer sees of a stack's file and env text: values of variables whose names look like
 * secrets are replaced, so a read-only token does not hand out the database password the file sets.
 * Line by line, over the forms Compose and `.env` files write a variable in: `NAME=value`,
 * `- NAME=value` and `NAME: value`.
 */
const SECRET_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|auth)/i;
export const MASK = '********';

const FORMS = [
  // `.env` lines and list-form environment entries: `NAME=value`, `- NAME=value`, `export NAME=value`.
  /^(\s*(?:-\s*)?(?:export\s+)?["']?)([A-Za-z_][A-Za-z0-9_.-]*)(=)(.*?)(["']?\s*)$/,
  // Map-form environment entries and labels: `NAME: value`.
  /^(\s*["']?)([A-Za-z_][A-Za-z0-9_.-]*)(["']?\s*:\s+)(\S.*?)(\s*)$/,
];

export function maskSecrets(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      for (const form of FORMS) {
        const match = form.exec(line);
        if (!match) continue;
        const [, before = '', name = '', separator = '', value = '', after = ''] = match;
        if (!SECRET_NAME.test(name) || value === '' || value.startsWith('${')) return line;
        return `${before}${name}${separator}${MASK}${after}`;
      }
      return line;
    })
    .join('\n');
}
