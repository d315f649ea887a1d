import type { ReportModel } from './model.js';
import { VIEWER_CSS, VIEWER_JS } from './viewer.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The model as the text of a `<script type="application/json">`: `<` escaped so no payload can close the tag. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Renders a {@link ReportModel} as one self-contained HTML file: the model as inline JSON, the viewer's CSS and script
 * inline, no external resource of any kind (the page works offline and under a `default-src 'none'` policy that
 * allows its own inline code).
 */
export function renderReportHtml(model: ReportModel): string {
  const title = escapeHtml(model.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${title}</title>
<style>${VIEWER_CSS}</style>
</head>
<body>
<header><h1>${title}</h1><div class="sub" id="sub"></div></header>
<main>
<section id="runs"><h2>Runs</h2>
<table><thead><tr><th>pipeline</th><th>outcome</th><th class="num">duration</th><th class="num">attempts</th><th class="num">events</th><th>run id</th></tr></thead><tbody id="runs-body"></tbody></table>
<div class="note" id="runs-note"></div></section>
<section id="timeline-section"><h2>Timeline</h2>
<div class="legend note"><span><i style="background:var(--completed)"></i>completed</span><span><i style="background:var(--failed)"></i>failed</span><span><i style="background:var(--skipped)"></i>skipped</span><span><i style="background:var(--cancelled)"></i>cancelled</span><span><i style="background:var(--running)"></i>unfinished</span><span>dashed: retry / guard retry</span><span><i style="background:var(--tool)"></i>tool</span><span><i style="background:var(--approval)"></i>approval</span><span><i style="background:var(--stream)"></i>stream</span><span><i style="background:var(--guard_retry)"></i>guard retry</span></div>
<div class="note" id="timeline-scale"></div>
<div id="timeline-wrap"><div id="timeline"><div id="timeline-inner"></div></div>
<div id="details"><div id="details-body" class="note">click a bar or a marker to see the events behind it</div></div></div>
<div class="note" id="budget-note"></div></section>
<section id="durations"><h2>Stage durations across runs (stage.wide)</h2>
<table><thead><tr><th>stage</th><th class="num">count</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">max</th></tr></thead><tbody id="durations-body"></tbody></table>
<div class="note" id="durations-note"></div></section>
<section id="families"><h2>Events by family</h2>
<table><thead><tr><th>family</th><th class="num">events</th></tr></thead><tbody id="families-body"></tbody></table></section>
<section id="findings"><h2>Validation findings of the input</h2>
<table><thead><tr><th>where</th><th>type</th><th>errors</th></tr></thead><tbody id="findings-body"></tbody></table>
<div class="note" id="findings-note"></div></section>
</main>
<script id="report-data" type="application/json">${embedJson(model)}</script>
<script>${VIEWER_JS}</script>
</body>
</html>
`;
}
