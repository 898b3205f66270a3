/** How figures read on screen; also what decides whether a row changed on a tick. */

export function percent(value: number | null | undefined): string {
  if (value == null) return '—';
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)}%`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(value: number | null | undefined): string {
  if (value == null) return '—';
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < UNITS.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${unit === 0 || scaled >= 100 ? scaled.toFixed(0) : scaled.toFixed(1)} ${UNITS[unit]}`;
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

// One formatter for every timestamp shown: toLocaleTimeString builds a new one on each call,
// which costs more than the rest of a stats tick.
const CLOCK = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** `14:03:59`, in the browser's time zone. */
export function time(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : CLOCK.format(at);
}

const DAY = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** `14:03:59` today, `Dec 1, 2026 14:03:59` on another day: for dates that may be old. */
export function dateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toDateString() === new Date().toDateString()
    ? CLOCK.format(at)
    : `${DAY.format(at)} ${CLOCK.format(at)}`;
}

/** The same, for a time in seconds since the epoch (the charts' x axis). */
export function clock(seconds: number): string {
  return CLOCK.format(seconds * 1000);
}

/** `127.0.0.1:8081→80/tcp`, as `docker ps` shows published ports. */
export function ports(
  bindings: readonly {
    containerPort: number;
    protocol: string;
    hostIp: string | null;
    hostPort: number | null;
  }[],
): string {
  return bindings
    .map((port) => {
      const target = `${port.containerPort}/${port.protocol.toLowerCase()}`;
      if (port.hostPort == null) return target;
      const host = port.hostIp && port.hostIp !== '0.0.0.0' ? `${port.hostIp}:` : '';
      return `${host}${port.hostPort}→${target}`;
    })
    .join(', ');
}
