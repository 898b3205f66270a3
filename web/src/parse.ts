import type { PortProtocol } from './operations.js';

/**
 * The create form's text fields turned into createContainer's input. Only the syntax is checked
 * here; berth validates every value (names, ranges, addresses) and answers typed errors.
 */

export class FormError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FormError';
  }
}

/**
 * Words as a POSIX shell splits them, without expansions: single quotes keep everything, double
 * quotes keep all but `\"` and `\\`, a backslash outside quotes escapes the next character.
 * `sh -c 'while :; do :; done'` is three words.
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\') {
      if (i + 1 >= text.length) throw new FormError('command', 'a backslash ends the command');
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new FormError('command', `a ${quote === "'" ? 'single' : 'double'} quote is not closed`);
  if (inWord) words.push(word);
  return words;
}

/** `NAME=value` lines (environment, labels); blank lines and `#` comments are skipped. */
export function parseKeyValues(text: string, field: string): { name: string; value: string }[] {
  const pairs: { name: string; value: string }[] = [];
  text.split('\n').forEach((raw, at) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new FormError(field, `line ${at + 1}: expected NAME=value, got "${line}"`);
    pairs.push({ name: line.slice(0, equals), value: line.slice(equals + 1) });
  });
  return pairs;
}

export interface PortSpec {
  containerPort: number;
  protocol: PortProtocol;
  hostPort?: number;
  hostIp?: string;
}

const PORT_SPEC = /^(?:(\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d*):|(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/i;

/**
 * Docker's `-p` syntax, separated by commas or spaces: `80` (the engine picks a host port),
 * `8081:80`, `127.0.0.1:8081:80`, `127.0.0.1::80`, `[::1]:8081:80`, each with an optional
 * `/tcp`, `/udp` or `/sctp`.
 */
export function parsePorts(text: string): PortSpec[] {
  return text
    .split(/[\s,]+/)
    .filter((item) => item !== '')
    .map((item) => {
      const match = PORT_SPEC.exec(item);
      if (!match) {
        throw new FormError('ports', `"${item}" is not [hostIp:][hostPort:]containerPort[/tcp|udp|sctp]`);
      }
      const [, hostIp, hostPortAfterIp, hostPortAlone, containerPort, protocol] = match;
      const hostPort = hostPortAfterIp || hostPortAlone;
      const spec: PortSpec = {
        containerPort: Number(containerPort),
        protocol: (protocol?.toUpperCase() ?? 'TCP') as PortProtocol,
      };
      if (hostPort) spec.hostPort = Number(hostPort);
      if (hostIp) spec.hostIp = hostIp.replace(/^\[(.*)\]$/, '$1');
      return spec;
    });
}
