//! The report's inline stylesheet and script, and their CSP hashes.
//!
//! The page's Content-Security-Policy allows exactly these two blocks (by SHA-256) and
//! nothing else: no network, no other inline script. Even if a run-derived string escaped
//! escaping, a browser would refuse to run it. `tests/html.rs` checks the hashes; after
//! editing either block, update the constant with the value the test prints.

/// Light and dark colour schemes, print rules, tables and charts.
pub const STYLE: &str = r#"
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;
--good:#1a7f37;--warn:#9a6700;--bad:#cf222e;--s1:#0969da;--s2:#cf222e;--s3:#8250df;--s4:#1a7f37;--s5:#bc4c00;--s6:#57606a}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#151b23;
--good:#3fb950;--warn:#d29922;--bad:#f85149;--s1:#4493f8;--s2:#f85149;--s3:#ab7df8;--s4:#3fb950;--s5:#db6d28;--s6:#9198a1}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:24px;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","DejaVu Sans",sans-serif,"Noto Color Emoji"}
h1{margin:0 0 4px}h2{margin-top:40px;border-bottom:1px solid var(--line);padding-bottom:6px}
.meta{color:var(--muted);font-size:13px;margin:0}
nav{margin:16px 0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:14px}
a{color:var(--s1)}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:var(--panel);padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
pre{background:var(--panel);padding:12px;border-radius:6px;overflow:auto;border:1px solid var(--line)}
pre code{background:none;padding:0}
.status{display:inline-block;font-size:20px;font-weight:600;padding:6px 14px;border-radius:8px;border:2px solid}
.status.good,.dot.good{color:var(--good)}.status.needs_improvement,.dot.needs_improvement{color:var(--warn)}
.status.critical,.dot.critical{color:var(--bad)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px;margin:16px 0}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.card b{display:block;font-size:20px}.card span{color:var(--muted);font-size:13px}
table{border-collapse:collapse;width:100%;margin:12px 0;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--panel);white-space:nowrap}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.num span{white-space:nowrap}
.js th[data-sortable]{cursor:pointer}.js th[data-sortable]::after{content:" \2195";color:var(--muted)}
.pass{color:var(--good)}.fail{color:var(--bad);font-weight:600}.no_data{color:var(--muted)}
.regression{color:var(--bad);font-weight:600}.improvement{color:var(--good);font-weight:600}
.finding{border:1px solid var(--line);border-left:4px solid var(--s6);border-radius:6px;padding:4px 16px 12px;margin:16px 0}
.finding.critical{border-left-color:var(--bad)}.finding.warning{border-left-color:var(--warn)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:8px 0}dt{font-weight:600}dd{margin:0}
figure{margin:16px 0;padding:8px;border:1px solid var(--line);border-radius:8px;background:var(--bg)}
figcaption{font-weight:600;margin-bottom:4px}
svg.chart{width:100%;height:auto;display:block}
svg .grid{stroke:var(--line);stroke-width:1}svg .axis{fill:var(--muted);font-size:11px}
svg .series{fill:none;stroke-width:2}svg .legend{font-size:12px;fill:var(--fg)}
svg .c1{stroke:var(--s1);fill:var(--s1)}svg .c2{stroke:var(--s2);fill:var(--s2)}svg .c3{stroke:var(--s3);fill:var(--s3)}
svg .c4{stroke:var(--s4);fill:var(--s4)}svg .c5{stroke:var(--s5);fill:var(--s5)}svg .c6{stroke:var(--s6);fill:var(--s6)}
svg polyline.series{fill:none}svg .dashed{stroke-dasharray:6 4}
ul.reasons{margin:8px 0}
@media print{body{max-width:none;padding:0;font-size:11pt}nav{display:none}
h2{break-after:avoid}figure,.finding,tr{break-inside:avoid}a{color:inherit;text-decoration:none}
pre{white-space:pre-wrap}.js th[data-sortable]::after{content:""}}
"#;

/// Progressive enhancement: sortable tables. The page is complete without it.
pub const SCRIPT: &str = r#"
(function(){
var root=document.documentElement;
window.addEventListener("error",function(e){root.setAttribute("data-js-error",String(e.message));});
root.classList.add("js");
function key(td){var v=td.getAttribute("data-sort");if(v!==null&&v!==""&&!isNaN(+v))return +v;return td.textContent.trim().toLowerCase();}
function sort(table,col,th){
var body=table.tBodies[0];if(!body)return;
var asc=th.getAttribute("aria-sort")!=="ascending";
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){c.removeAttribute("aria-sort");});
th.setAttribute("aria-sort",asc?"ascending":"descending");
var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);
if(typeof x===typeof y){return (x<y?-1:x>y?1:0)*(asc?1:-1);}return (typeof x==="number"?-1:1)*(asc?1:-1);});
rows.forEach(function(r){body.appendChild(r);});}
Array.prototype.forEach.call(document.querySelectorAll("table.sortable"),function(table){
if(!table.tHead)return;
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
th.setAttribute("data-sortable","");th.tabIndex=0;
th.addEventListener("click",function(){sort(table,i,th);});
th.addEventListener("keydown",function(e){if(e.key==="Enter"){sort(table,i,th);}});});});
root.setAttribute("data-js","ready");
})();
"#;

/// `sha256-…` of [`STYLE`] for the CSP `style-src`.
pub const STYLE_SHA256: &str = "sha256-elc/dl8FRt0zkIQaFrjD9149tcbEv09vABT4V98Ts7c=";
/// `sha256-…` of [`SCRIPT`] for the CSP `script-src`.
pub const SCRIPT_SHA256: &str = "sha256-wwy/oLDr3ibV1w11p6magtBBkT3BKzpdWm5q6jDFctU=";

/// The page's Content-Security-Policy: nothing but the two inline blocks and data: images.
pub fn content_security_policy() -> String {
    content_security_policy_with(&[], &[])
}

/// The same policy, also allowing inline blocks of embedded content (a flame graph's
/// script and style) by their `sha256-…` hashes.
pub fn content_security_policy_with(scripts: &[String], styles: &[String]) -> String {
    let extra = |hashes: &[String]| hashes.iter().map(|h| format!(" '{h}'")).collect::<String>();
    format!(
        "default-src 'none'; style-src '{STYLE_SHA256}'{}; script-src '{SCRIPT_SHA256}'{}; img-src data:; \
         base-uri 'none'; form-action 'none'",
        extra(styles),
        extra(scripts)
    )
}
