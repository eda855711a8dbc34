/** The HTML report's stylesheet, inlined in the page; state colours come from taskStateColors.ts. */
import { TASK_STATE_COLORS, TASK_STATES } from '../taskStateColors.js';

const stateRules = TASK_STATES.map((state) => {
  const color = TASK_STATE_COLORS[state];
  return `.badge.state-${state}{background:${color.fill};color:${color.text};border-color:${color.stroke}}.state.state-${state}{border-bottom:3px solid ${color.stroke}}`;
}).join('');

export const REPORT_CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;padding:16px 24px;color:#212121;background:#fafafa}
h1{font-size:20px;margin:0 0 8px}h1 code{font-size:16px}
h2{font-size:16px;margin:24px 0 8px}
section{background:#fff;border:1px solid #e0e0e0;border-radius:8px;padding:4px 16px 16px;margin-top:16px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.muted{color:#757575;font-weight:normal;font-size:12px}
.note{background:#fff8e1;border-left:4px solid #ffb300;padding:6px 10px;margin:8px 0}
.error{color:#c62828}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;border:1px solid #bdbdbd;font-size:12px;background:#eee}
${stateRules}
.scroll{overflow:auto;max-width:100%}
table{border-collapse:collapse}
table.summary th{text-align:left;padding:2px 12px 2px 0;color:#616161;font-weight:500}
table.tasks,table.transitions{width:100%}
table.tasks th,table.tasks td,table.transitions th,table.transitions td{border-bottom:1px solid #eee;padding:4px 8px;text-align:left;vertical-align:top}
table.transitions th,table.tasks th{background:#f5f5f5;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code.data{white-space:pre-wrap;word-break:break-all}
details pre{white-space:pre-wrap;word-break:break-all;max-height:320px;overflow:auto;background:#f5f5f5;padding:6px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
.dag-edge{fill:none;stroke:#607d8b;stroke-width:1.5}.dag-edge.inferred{stroke-dasharray:5 4}
.dag-label{font-size:13px;font-weight:600}.dag-sub{font-size:11px}
.timeline .row-bg{fill:transparent}.timeline .timeline-row:nth-child(odd) .row-bg{fill:#f7f7f7}
.timeline .row-label{font-size:12px;fill:#424242}
.timeline .tick{stroke:#e0e0e0}.timeline .tick-label{font-size:10px;fill:#757575;text-anchor:middle}
.timeline .bar-label{font-size:10px;fill:#fff;pointer-events:none}
.timeline .attempt-bar.open{stroke:#0d47a1;stroke-dasharray:3 2}
footer{margin-top:16px}
`;
