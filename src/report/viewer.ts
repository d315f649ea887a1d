// the report's viewer: CSS and a dependency-free script inlined into the HTML file (no network at view time). The
// script reads the model from <script id="report-data" type="application/json"> and renders a virtualised timeline
// (only the rows in view are in the DOM), so a run of 10 000 stages stays responsive.

export const VIEWER_CSS = `
:root { --completed: #2e9d5b; --failed: #d64545; --skipped: #9aa3ad; --cancelled: #e09b2d; --running: #4a7fd6;
  --tool: #7a4fd6; --approval: #c0399a; --stream: #1c9fb5; --guard_retry: #e07b16; --retry: #d64545; --event: #555;
  --row: 22px; --label: 260px; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 13px; color: #1d232b; }
body { margin: 0; background: #f5f6f8; }
header { background: #1d232b; color: #fff; padding: 10px 16px; }
header h1 { font-size: 17px; margin: 0 0 4px; }
header .sub { color: #b8c0cc; font-size: 12px; }
main { padding: 12px 16px; display: grid; gap: 12px; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 12px; }
section h2 { font-size: 14px; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
th { font-weight: 600; color: #4b5563; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 11px; line-height: 17px; }
.badge.completed { background: var(--completed); } .badge.failed { background: var(--failed); }
.badge.skipped { background: var(--skipped); } .badge.cancelled { background: var(--cancelled); }
.badge.running { background: var(--running); }
tr.run-row { cursor: pointer; } tr.run-row:hover, tr.run-row.selected { background: #eef4ff; }
.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 12px; }
.legend span { margin-right: 12px; } .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
#timeline-wrap { display: grid; grid-template-columns: 1fr 380px; gap: 12px; }
#timeline { position: relative; height: 520px; overflow: auto; border: 1px solid #eef0f3; }
#timeline-inner { position: relative; }
.row { position: absolute; left: 0; right: 0; height: var(--row); border-bottom: 1px solid #f2f3f5; }
.row.run-head { background: #f3f5f8; font-weight: 600; }
.row .label { position: absolute; left: 0; width: var(--label); height: var(--row); line-height: var(--row); overflow: hidden;
  white-space: nowrap; text-overflow: ellipsis; padding-left: 6px; box-sizing: border-box; border-right: 1px solid #eef0f3; }
.row .lane { position: absolute; left: var(--label); right: 8px; top: 0; bottom: 0; }
.bar { position: absolute; top: 8px; height: 12px; min-width: 3px; border-radius: 3px; cursor: pointer; box-sizing: border-box; }
.bar.completed { background: var(--completed); } .bar.failed { background: var(--failed); }
.bar.skipped { background: var(--skipped); } .bar.cancelled { background: var(--cancelled); }
.bar.running { background: var(--running); }
.bar.kind-retry, .bar.kind-guard_retry { outline: 2px dashed rgba(0,0,0,.35); outline-offset: -2px; }
.bar.selected, .marker.selected { box-shadow: 0 0 0 2px #111; }
.marker { position: absolute; top: 1px; width: 6px; height: 6px; margin-left: -3px; border-radius: 50%; cursor: pointer; z-index: 2; }
.marker.tool { background: var(--tool); } .marker.approval { background: var(--approval); } .marker.stream { background: var(--stream); }
.marker.cluster { width: 9px; margin-left: -4px; border-radius: 3px; }
.marker.guard_retry { background: var(--guard_retry); } .marker.retry { background: var(--retry); } .marker.event { background: var(--event); }
#details pre { white-space: pre-wrap; word-break: break-word; background: #f7f8fa; padding: 8px; border-radius: 4px; max-height: 460px; overflow: auto; margin: 6px 0 0; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }
dl.kv dt { color: #4b5563; } dl.kv dd { margin: 0; }
.note { color: #6b7280; font-size: 12px; }
.error-box { border-left: 3px solid var(--failed); padding: 4px 8px; background: #fdf2f2; margin: 6px 0; }
`;

export const VIEWER_JS = `
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('report-data').textContent);
  var ROW = 22;
  var byId = Object.create(null);
  model.runs.forEach(function (r) { byId[r.runId] = r; });
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function badge(status) { return el('span', { class: 'badge ' + status }, status); }
  function ms(v) { return v === null || v === undefined ? '-' : (Math.round(v * 10) / 10) + ' ms'; }
  function fmtTime(t) { return new Date(t).toISOString().replace('T', ' ').replace('Z', ''); }

  // header
  document.getElementById('sub').textContent = model.sources.join(', ') + ' \\u2014 ' + model.totals.events + ' events, ' +
    model.totals.runs + ' runs, ' + model.totals.attempts + ' stage attempts, ' + model.totals.invalid + ' invalid, ' +
    model.totals.corrupt + ' corrupt lines';

  // runs table
  var runsBody = document.getElementById('runs-body');
  var LIST_MAX = 1000;
  var listed = model.runs.slice(0, LIST_MAX);
  listed.forEach(function (r) {
    var tr = el('tr', { class: 'run-row', 'data-run': r.runId });
    var name = el('td');
    name.textContent = (r.parentRunId ? '\\u21b3 ' : '') + r.pipelineName;
    tr.appendChild(name);
    var st = el('td'); st.appendChild(badge(r.status)); tr.appendChild(st);
    tr.appendChild(el('td', { class: 'num' }, ms(r.durationMs !== null ? r.durationMs : r.end - r.start)));
    tr.appendChild(el('td', { class: 'num' }, r.attempts.length));
    tr.appendChild(el('td', { class: 'num' }, r.eventCount));
    tr.appendChild(el('td', { class: 'mono' }, r.runId));
    tr.addEventListener('click', function () { select(rootOf(r.runId)); });
    runsBody.appendChild(tr);
  });
  if (model.runs.length > LIST_MAX)
    document.getElementById('runs-note').textContent = (model.runs.length - LIST_MAX) + ' more runs not listed';

  function rootOf(id) {
    var seen = Object.create(null);
    var r = byId[id];
    while (r && r.parentRunId && byId[r.parentRunId] && !seen[r.runId]) { seen[r.runId] = true; r = byId[r.parentRunId]; }
    return r ? r.runId : id;
  }

  // the rows of a run tree: a head row per run, then a row per stage, each followed by the runs it spawned
  function rowsOf(runId, depth, out, seen) {
    var r = byId[runId];
    if (!r || seen[runId]) return;
    seen[runId] = true;
    out.push({ head: true, run: r, depth: depth });
    var attemptsByStage = Object.create(null);
    r.attempts.forEach(function (a) { (attemptsByStage[a.stage] = attemptsByStage[a.stage] || []).push(a); });
    var markersByStage = Object.create(null);
    var runMarkers = [];
    r.markers.forEach(function (m) {
      if (m.stage === null) runMarkers.push(m); else (markersByStage[m.stage] = markersByStage[m.stage] || []).push(m);
    });
    if (runMarkers.length) out[out.length - 1].markers = runMarkers;
    // one row per stage attempt, so a retry never hides under the attempt it follows; markers go on the attempt
    // that was running at their time; a stage that never started keeps an empty row
    r.stages.forEach(function (s) {
      var attempts = attemptsByStage[s] || [];
      var markers = markersByStage[s] || [];
      if (!attempts.length) { out.push({ run: r, stage: s, label: s, depth: depth, attempts: [], markers: markers }); return; }
      var rowsHere = attempts.map(function (a) {
        return { run: r, stage: s, label: a.attempt === 1 ? s : s + ' \u21bb ' + a.attempt + (a.kind === 'guard_retry' ? ' (guard retry)' : a.kind === 'retry' ? ' (retry)' : ''), depth: depth, attempts: [a], markers: [] };
      });
      markers.forEach(function (m) {
        var k = 0;
        for (var j = 0; j < attempts.length; j++) if (attempts[j].start <= m.time) k = j;
        rowsHere[k].markers.push(m);
      });
      rowsHere.forEach(function (row, j) {
        out.push(row);
        attempts[j].children.forEach(function (c) { rowsOf(c, depth + 1, out, seen); });
      });
    });
    r.children.forEach(function (c) { rowsOf(c, depth + 1, out, seen); });
  }

  var rows = [];
  var t0 = 0, t1 = 1;
  var selected = null;
  var timeline = document.getElementById('timeline');
  var inner = document.getElementById('timeline-inner');
  var rendered = Object.create(null);

  function select(runId) {
    rows = [];
    rowsOf(runId, 0, rows, Object.create(null));
    t0 = Infinity; t1 = -Infinity;
    rows.forEach(function (row) {
      if (row.head) { t0 = Math.min(t0, row.run.start); t1 = Math.max(t1, row.run.end); }
      (row.attempts || []).forEach(function (a) { t0 = Math.min(t0, a.start); t1 = Math.max(t1, a.end); });
    });
    if (!isFinite(t0)) { t0 = 0; t1 = 1; }
    if (t1 <= t0) t1 = t0 + 1;
    Array.prototype.forEach.call(document.querySelectorAll('tr.run-row'), function (tr) {
      tr.classList.toggle('selected', tr.getAttribute('data-run') === runId);
    });
    inner.style.height = rows.length * ROW + 'px';
    timeline.style.height = Math.max(120, Math.min(520, rows.length * ROW + 4)) + 'px';
    inner.textContent = '';
    rendered = Object.create(null);
    timeline.scrollTop = 0;
    document.getElementById('timeline-scale').textContent = fmtTime(t0) + ' \\u2192 ' + fmtTime(t1) + ' (' + ms(t1 - t0) + '), ' + rows.length + ' rows';
    showRun(byId[runId]);
    paint();
  }

  function pct(t) { return ((t - t0) / (t1 - t0)) * 100; }

  function buildRow(i) {
    var row = rows[i];
    var div = el('div', { class: 'row' + (row.head ? ' run-head' : ''), 'data-row': String(i) });
    div.style.top = i * ROW + 'px';
    var label = el('div', { class: 'label' });
    label.style.paddingLeft = 6 + row.depth * 14 + 'px';
    if (row.head) {
      label.textContent = (row.depth ? '\\u21b3 ' : '') + row.run.pipelineName + ' \\u00b7 ' + row.run.status;
      label.title = row.run.runId;
      label.style.cursor = 'pointer';
      label.addEventListener('click', function () { showRun(row.run); });
    } else {
      label.textContent = row.label;
      label.title = row.label;
    }
    div.appendChild(label);
    var lane = el('div', { class: 'lane' });
    if (row.head) {
      var span = el('div', { class: 'bar run-span ' + row.run.status });
      span.style.left = pct(row.run.start) + '%';
      span.style.width = Math.max(0.2, pct(row.run.end) - pct(row.run.start)) + '%';
      span.style.opacity = '0.25';
      span.addEventListener('click', function () { showRun(row.run); });
      lane.appendChild(span);
    }
    (row.attempts || []).forEach(function (a) {
      var bar = el('div', {
        class: 'bar stage-bar ' + a.status + ' kind-' + a.kind,
        'data-stage': a.stage, 'data-attempt': String(a.attempt), 'data-status': a.status,
        'data-kind': a.kind, 'data-run': row.run.runId,
        title: a.stage + ' #' + a.attempt + ' ' + a.status + (a.kind !== 'first' ? ' (' + a.kind.replace('_', ' ') + ')' : '') + ', ' + ms(a.end - a.start)
      });
      bar.style.left = pct(a.start) + '%';
      bar.style.width = Math.max(0.15, pct(a.end) - pct(a.start)) + '%';
      bar.addEventListener('click', function (ev) { ev.stopPropagation(); showAttempt(row.run, a, bar); });
      lane.appendChild(bar);
    });
    // markers closer than ~0.5% of the lane are one clickable cluster (tool.invoked, approval.*, tool.started
    // often share a millisecond); the cluster's payload panel lists every event in it
    var sorted = (row.markers || []).slice().sort(function (a, b) { return a.time - b.time; });
    var clusters = [];
    sorted.forEach(function (m) {
      var last = clusters[clusters.length - 1];
      if (last && pct(m.time) - pct(last[0].time) < 0.5) last.push(m); else clusters.push([m]);
    });
    clusters.forEach(function (group) {
      var m = group[0];
      var types = group.map(function (g) { return g.type; });
      var mk = el('div', { class: 'marker ' + m.kind + (group.length > 1 ? ' cluster' : ''), 'data-type': m.type,
        'data-types': types.join(' '), 'data-kind': m.kind, title: types.join(', ') + ' at ' + fmtTime(m.time) });
      mk.style.left = pct(m.time) + '%';
      mk.addEventListener('click', function (ev) { ev.stopPropagation(); showMarkers(row.run, group, mk); });
      lane.appendChild(mk);
    });
    div.appendChild(lane);
    return div;
  }

  function paint() {
    var first = Math.max(0, Math.floor(timeline.scrollTop / ROW) - 10);
    var last = Math.min(rows.length, Math.ceil((timeline.scrollTop + timeline.clientHeight) / ROW) + 10);
    Object.keys(rendered).forEach(function (k) {
      var i = Number(k);
      if (i < first || i >= last) { inner.removeChild(rendered[k]); delete rendered[k]; }
    });
    for (var i = first; i < last; i++) {
      if (!rendered[i]) { rendered[i] = buildRow(i); inner.appendChild(rendered[i]); }
    }
  }
  var pending = false;
  timeline.addEventListener('scroll', function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; paint(); });
  });

  // details panel
  var details = document.getElementById('details-body');
  function kv(pairs) {
    var dl = el('dl', { class: 'kv' });
    pairs.forEach(function (p) { if (p[1] === null || p[1] === undefined || p[1] === '') return; dl.appendChild(el('dt', null, p[0])); dl.appendChild(el('dd', { class: 'mono' }, p[1])); });
    return dl;
  }
  function payloadBlock(indices) {
    var pre = el('pre', { id: 'payload' });
    var list = indices.filter(function (i) { return i >= 0; }).map(function (i) { return model.payloads[i]; });
    pre.textContent = list.length ? JSON.stringify(list.length === 1 ? list[0] : list, null, 2) : '(payload not kept: the report\\'s payload budget was spent)';
    return pre;
  }
  function clearSelection(target) {
    Array.prototype.forEach.call(document.querySelectorAll('.selected'), function (n) { if (!n.classList.contains('run-row')) n.classList.remove('selected'); });
    if (target) target.classList.add('selected');
  }
  function showRun(r) {
    if (!r) return;
    clearSelection(null);
    details.textContent = '';
    details.appendChild(el('h3', null, 'run ' + r.pipelineName));
    var head = el('div'); head.appendChild(badge(r.status)); details.appendChild(head);
    if (r.error) {
      var box = el('div', { class: 'error-box', id: 'run-error' });
      box.appendChild(kv([['code', r.error.code], ['stage', r.error.stage], ['retryable', r.error.retryable === null ? null : String(r.error.retryable)], ['message', r.error.message]]));
      details.appendChild(box);
    }
    var pairs = [['run id', r.runId], ['parent run', r.parentRunId], ['parent stage', r.parentStage], ['trace id', r.traceId],
      ['started', fmtTime(r.start)], ['duration', ms(r.durationMs !== null ? r.durationMs : r.end - r.start)], ['events', r.eventCount]];
    Object.keys(r.correlation).forEach(function (k) { pairs.push([k, r.correlation[k]]); });
    details.appendChild(kv(pairs));
    if (r.events.length) details.appendChild(payloadBlock(r.events));
  }
  function showAttempt(r, a, node) {
    clearSelection(node);
    details.textContent = '';
    details.appendChild(el('h3', null, a.stage + ' \\u00b7 attempt ' + a.attempt));
    var head = el('div'); head.appendChild(badge(a.status)); details.appendChild(head);
    details.appendChild(kv([['kind', a.kind.replace('_', ' ')], ['retried', a.retried ? 'yes' : null], ['run', r.pipelineName + ' ' + r.runId],
      ['start', fmtTime(a.start)], ['duration', ms(a.end - a.start)], ['child runs', a.children.join(', ')]]));
    details.appendChild(payloadBlock(a.events));
  }
  function showMarkers(r, group, node) {
    clearSelection(node);
    details.textContent = '';
    details.appendChild(el('h3', null, group.length === 1 ? group[0].type : group.length + ' events'));
    details.appendChild(kv([['stage', group[0].stage], ['run', r.pipelineName + ' ' + r.runId], ['time', fmtTime(group[0].time)]]));
    details.appendChild(payloadBlock(group.map(function (m) { return m.event; })));
  }

  // stage durations
  var durBody = document.getElementById('durations-body');
  var DUR_MAX = 200;
  model.stageDurations.slice(0, DUR_MAX).forEach(function (s) {
    var tr = el('tr');
    tr.appendChild(el('td', null, s.stage));
    [s.count].forEach(function (v) { tr.appendChild(el('td', { class: 'num' }, v)); });
    [s.p50, s.p90, s.p99, s.max].forEach(function (v) { tr.appendChild(el('td', { class: 'num' }, ms(v))); });
    durBody.appendChild(tr);
  });
  if (!model.stageDurations.length) document.getElementById('durations-note').textContent = 'no stage.wide events in the input (run with wide events on)';
  else if (model.stageDurations.length > DUR_MAX) document.getElementById('durations-note').textContent = (model.stageDurations.length - DUR_MAX) + ' more stages not listed (slowest p90 first)';

  // families
  var famBody = document.getElementById('families-body');
  Object.keys(model.families).forEach(function (f) {
    var tr = el('tr'); tr.appendChild(el('td', null, f)); tr.appendChild(el('td', { class: 'num' }, model.families[f])); famBody.appendChild(tr);
  });

  // findings
  var fBody = document.getElementById('findings-body');
  model.findings.forEach(function (f) {
    var tr = el('tr', { class: 'finding' });
    tr.appendChild(el('td', { class: 'mono' }, f.source + (f.line !== null ? ':' + f.line : '')));
    tr.appendChild(el('td', { class: 'mono' }, f.type === null ? '(corrupt line)' : f.type));
    tr.appendChild(el('td', null, f.errors.join('; ')));
    fBody.appendChild(tr);
  });
  document.getElementById('findings-note').textContent = model.findingsTotal === 0 ? 'every line is a valid event'
    : model.findingsTotal > model.findings.length ? (model.findingsTotal - model.findings.length) + ' more findings not listed' : '';
  if (model.totals.payloadsDropped > 0)
    document.getElementById('budget-note').textContent = model.totals.payloadsDropped + ' payloads not kept (payload budget); their items show no payload';

  if (model.roots.length) select(model.roots[0]);
  else document.getElementById('timeline-scale').textContent = 'no runs in the input';
  document.body.setAttribute('data-ready', 'true');
})();
`;
