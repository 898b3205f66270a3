import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CADVISOR_FAMILIES } from '../../src/api/metrics/cadvisor.js';
import { expressionsOf, metricNamesIn, panelsOf, type Dashboard } from './promql.js';

/**
 * docs/grafana/berth-containers.json: it parses, reads its data through the Prometheus datasource
 * variable, and every expression selects only cAdvisor-compatible series berth declares. The
 * integration test (metrics-cadvisor.test.ts) checks the same names against a real scrape.
 */

const dashboard = JSON.parse(
  readFileSync(new URL('../../docs/grafana/berth-containers.json', import.meta.url), 'utf8'),
) as Dashboard;
const declared = new Set(CADVISOR_FAMILIES.map((f) => f.name));

describe('metricNamesIn', () => {
  it('finds the series of selectors, and not functions, labels, keywords, strings, ranges or variables', () => {
    expect(metricNamesIn('rate(a_total{name=~"$name"}[$__rate_interval])')).toEqual(['a_total']);
    expect(
      metricNamesIn('sum by (name, interface) (rate(b_total[5m])) / on (name) group_left c > 0'),
    ).toEqual(['b_total', 'c']);
    expect(metricNamesIn('d / (e{x="sum(f)"} > 0) * 1e9 + count(g offset 5m)')).toEqual(['d', 'e', 'g']);
    expect(metricNamesIn('histogram_quantile(0.9, sum without (le) (h_bucket))')).toEqual(['h_bucket']);
  });
});

describe('the Grafana dashboard', () => {
  it('reads through a Prometheus datasource variable, in every panel and query', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus' });
    const panels = panelsOf(dashboard);
    expect(panels.length).toBeGreaterThan(5);
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets ?? []) {
        expect(target.datasource ?? panel.datasource, panel.title).toEqual(panel.datasource);
      }
    }
  });

  it('names only cAdvisor-compatible series berth exports, and shows CPU, memory against the limit, network and block IO', () => {
    const expressions = expressionsOf(dashboard);
    for (const { where, expr, metrics } of expressions) {
      expect(metrics.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const metric of metrics) expect(declared, `${where} reads ${metric}`).toContain(metric);
    }
    const exprs = expressions.map((e) => e.expr).join('\n');
    expect(exprs).toMatch(/rate\(container_cpu_usage_seconds_total\{[^}]*\}\[\$__rate_interval\]\)/);
    expect(exprs).toContain('container_memory_working_set_bytes');
    expect(exprs).toContain('container_spec_memory_limit_bytes');
    for (const name of [
      'container_network_receive_bytes_total',
      'container_network_transmit_bytes_total',
      'container_fs_reads_bytes_total',
      'container_fs_writes_bytes_total',
    ]) {
      expect(exprs).toContain(`rate(${name}`);
    }
  });
});
