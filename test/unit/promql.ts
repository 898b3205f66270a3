/**
 * The metric names a PromQL expression selects, found without a PromQL parser: enough for the
 * expressions a dashboard holds (selectors, functions, aggregations with `by`/`without`, binary
 * operators with `on`/`ignoring`/`group_*`, comparisons, numbers, Grafana's `$variables`).
 */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    // Grafana's variables ($__rate_interval, ${name}) are not PromQL.
    .replace(/\$\{?\w+\}?/g, ' ')
    // Strings (label values, label_replace arguments), then matchers and ranges.
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    // The label lists of grouping clauses are labels, not metrics.
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])[a-zA-Z_:][\w:]*/g)) {
    const word = match[0];
    const after = stripped.slice(match.index + word.length).trimStart();
    // A function or an aggregation, not a series.
    if (after.startsWith('(')) continue;
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** The metric a Grafana `label_values(metric, label)` variable query reads, if it names one. */
export function metricOfLabelValues(query: string): string | undefined {
  return /label_values\(\s*([a-zA-Z_:][\w:]*)\s*(?:\{[^}]*\})?\s*,/.exec(query)?.[1];
}

interface DashboardPanel {
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; datasource?: { type?: string; uid?: string } }[];
  panels?: DashboardPanel[];
}

export interface Dashboard {
  title: string;
  uid: string;
  panels: DashboardPanel[];
  templating: {
    list: { name: string; type: string; query?: unknown; definition?: string; datasource?: unknown }[];
  };
}

/** Every panel, rows' nested panels included. */
export function panelsOf(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every PromQL expression of the dashboard, with where it is, and the series each names. */
export function expressionsOf(dashboard: Dashboard): { where: string; expr: string; metrics: string[] }[] {
  const found = panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((t) => t.expr !== undefined)
      .map((t) => ({ where: `panel "${panel.title}"`, expr: t.expr!, metrics: metricNamesIn(t.expr!) })),
  );
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    const query =
      typeof variable.query === 'string'
        ? variable.query
        : ((variable.query as { query?: string } | undefined)?.query ?? '');
    const metric = metricOfLabelValues(query);
    found.push({ where: `variable $${variable.name}`, expr: query, metrics: metric ? [metric] : [] });
  }
  return found;
}
