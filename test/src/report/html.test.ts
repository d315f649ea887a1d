import { describe, expect, it } from 'vitest';
import { buildReportModel, embedJson, renderReportHtml } from '../../../src/report/index.js';

describe('renderReportHtml', () => {
  it('embeds payloads so that no text in them can close the data script or inject markup', () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const model = buildReportModel(
      [
        {
          type: 'pipeline.started',
          data: { pipeline_run_id: 'r1', pipeline_name: hostile, timestamp: '2026-01-01T00:00:00Z' },
        },
        {
          type: 'stage.a.started',
          data: { pipeline_run_id: 'r1', note: `\u2028${hostile}`, timestamp: '2026-01-01T00:00:00Z' },
        },
      ],
      { title: `<b>${hostile}</b>` },
    );
    const html = renderReportHtml(model);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<b>');
    expect(html).toContain('&#60;b&#62;');
    const json = /<script id="report-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(model)));
    expect(embedJson('a<b\u2028')).toBe('"a\\u003cb\\u2028"');
  });

  it('loads nothing from anywhere: no src or href, a CSP that forbids every fetch', () => {
    const html = renderReportHtml(buildReportModel([]));
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).toContain(`content="default-src 'none';`);
  });
});
