//! The runs list, a run's full report (the report crate's HTML), findings over time and
//! the compare view.

use super::layout::{self, esc, short};
use super::{with_store, Dashboard, PageError};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use perfhound_model::{Metric, Severity};
use perfhound_store::compare::{self, Comparison, Config};
use perfhound_store::{Filter, RunRow};
use std::fmt::Write as _;
use std::sync::Arc;

fn recent(limit: usize) -> Filter {
    Filter { limit, ..Default::default() }
}

pub async fn runs(State(d): State<Arc<Dashboard>>) -> Result<Response, PageError> {
    let rows = with_store(&d, |s| s.list(&recent(200))).await?;
    // A PostgreSQL URL names a host and role the page's readers need not see.
    let store = match &d.store {
        perfhound_store::Location::Sqlite(path) => path.display().to_string(),
        perfhound_store::Location::Postgres(_) => "the PostgreSQL store".to_string(),
    };
    let mut body = format!("<p class=\"muted\">{} runs in {}</p>\n", rows.len(), esc(&store));
    body.push_str(
        "<table id=\"runs\"><thead><tr><th class=\"num\">#</th><th>run</th><th>started</th><th>command</th>\
         <th>branch</th><th>commit</th><th class=\"num\">findings</th><th>tags</th></tr></thead><tbody>\n",
    );
    for r in rows.iter().rev() {
        run_row(&mut body, r);
    }
    body.push_str("</tbody></table>\n");
    Ok(layout::page(StatusCode::OK, "Runs", "/", &body))
}

fn run_row(out: &mut String, r: &RunRow) {
    let tags: Vec<String> = r.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let _ = writeln!(
        out,
        "<tr data-run=\"{}\"><td class=\"num\">{}</td><td><a href=\"/runs/{}\">{}</a></td><td>{}</td><td>{}</td>\
         <td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
        esc(&r.id),
        r.seq,
        esc(&r.id),
        esc(r.id.get(..12).unwrap_or(&r.id)),
        esc(&r.started_at),
        esc(&r.command),
        esc(&r.git_branch),
        esc(short(&r.git_commit)),
        r.findings,
        esc(&tags.join(" "))
    );
}

pub async fn api_runs(State(d): State<Arc<Dashboard>>) -> Result<Response, PageError> {
    let rows = with_store(&d, |s| s.list(&recent(0))).await?;
    let text = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
    Ok(layout::with_headers(StatusCode::OK, "application/json", layout::CSP, text))
}

/// The run's Performance Analysis Report, exactly as `perfhound report --format html`.
pub async fn report(State(d): State<Arc<Dashboard>>, Path(id): Path<String>) -> Result<Response, PageError> {
    let run = with_store(&d, move |s| s.run(&id)).await?;
    let set = perfhound_report::RunSet::new(vec![run]);
    let report = perfhound_report::build_report(&set, &perfhound_report::ReportOptions::default());
    let html = perfhound_report::render::html::render(&report);
    let csp = perfhound_report::render::html::content_security_policy();
    Ok(layout::with_headers(StatusCode::OK, "text/html; charset=utf-8", &csp, html))
}

/// Per run: findings by severity and their rule codes.
pub async fn findings(State(d): State<Arc<Dashboard>>) -> Result<Response, PageError> {
    let runs = with_store(&d, |s| {
        let rows = s.list(&recent(100))?;
        rows.into_iter().map(|r| s.run(&r.id).map(|run| (r, run))).collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let mut body = String::from(
        "<table id=\"findings\"><thead><tr><th class=\"num\">#</th><th>run</th><th>commit</th>\
         <th class=\"num\">critical</th><th class=\"num\">warning</th><th class=\"num\">info</th><th>rules</th></tr></thead><tbody>\n",
    );
    for (row, run) in runs.iter().rev() {
        let count = |s: Severity| run.findings.iter().filter(|f| f.severity == s).count();
        let mut codes: Vec<&str> = run.findings.iter().map(|f| f.rule.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        let _ = writeln!(
            body,
            "<tr><td class=\"num\">{}</td><td><a href=\"/runs/{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            row.seq,
            esc(&row.id),
            esc(row.id.get(..12).unwrap_or(&row.id)),
            esc(short(&row.git_commit)),
            count(Severity::Critical),
            count(Severity::Warning),
            count(Severity::Info),
            esc(&codes.join(" "))
        );
    }
    body.push_str("</tbody></table>\n");
    Ok(layout::page(StatusCode::OK, "Findings over time", "/findings", &body))
}

#[derive(serde::Deserialize, Default)]
pub struct CompareQuery {
    a: Option<String>,
    b: Option<String>,
}

pub async fn compare(State(d): State<Arc<Dashboard>>, Query(q): Query<CompareQuery>) -> Result<Response, PageError> {
    let (a, b) = (q.a.filter(|s| !s.is_empty()), q.b.filter(|s| !s.is_empty()));
    let picked = (a.clone(), b.clone());
    let (rows, comparison) = with_store(&d, move |s| {
        let rows = s.list(&recent(200))?;
        let comparison = match picked {
            (Some(a), Some(b)) => Some(compare::compare(&s.run(&a)?, &s.run(&b)?, &Config::default())),
            _ => None,
        };
        Ok((rows, comparison))
    })
    .await?;
    let mut body = form(&rows, a.as_deref(), b.as_deref());
    if let Some(c) = &comparison {
        comparison_table(&mut body, c);
    }
    Ok(layout::page(StatusCode::OK, "Compare", "/compare", &body))
}

fn form(rows: &[RunRow], a: Option<&str>, b: Option<&str>) -> String {
    let options = |selected: Option<&str>| -> String {
        rows.iter()
            .rev()
            .map(|r| {
                let sel = if selected.is_some_and(|s| r.id.starts_with(s)) { " selected" } else { "" };
                format!(
                    "<option value=\"{}\"{sel}>#{} {} {}</option>",
                    esc(&r.id),
                    r.seq,
                    esc(short(&r.git_commit)),
                    esc(&r.git_branch)
                )
            })
            .collect()
    };
    format!(
        "<form class=\"compare\" method=\"get\" action=\"/compare\"><label>baseline <select name=\"a\">{}</select></label> \
         <label>current <select name=\"b\">{}</select></label> <button type=\"submit\">Compare</button></form>\n",
        options(a),
        options(b)
    )
}

fn comparison_table(out: &mut String, c: &Comparison) {
    let _ = writeln!(
        out,
        "<p id=\"verdict\" data-regressions=\"{}\">{} → {}: {} significant regressions, {} improvements \
         (tolerance {:.0}%, α = {})</p>",
        c.regressions,
        esc(&c.baseline),
        esc(&c.current),
        c.regressions,
        c.improvements,
        c.tolerance * 100.0,
        c.alpha
    );
    out.push_str(
        "<table id=\"compare\"><thead><tr><th>target</th><th>metric</th><th class=\"num\">baseline</th>\
         <th class=\"num\">current</th><th class=\"num\">change</th><th class=\"num\">p</th><th class=\"num\">effect δ</th></tr></thead><tbody>\n",
    );
    for t in &c.targets {
        for m in &t.metrics {
            let metric = Metric::parse(m.metric).unwrap_or(Metric::P50);
            let fmt = |v: f64| perfhound_term::human::metric_value(metric, Some(v));
            let class = if m.regression {
                "regression"
            } else if m.improvement {
                "improvement"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<tr class=\"{class}\" data-target=\"{}\" data-metric=\"{}\" data-baseline=\"{}\" data-current=\"{}\" \
                 data-change=\"{:.6}\"><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{:+.1}%</td><td class=\"num\">{:.2e}</td><td class=\"num\">{:+.2}</td></tr>",
                esc(&t.target),
                m.metric,
                m.baseline,
                m.current,
                m.change,
                esc(&t.target),
                m.metric,
                esc(&fmt(m.baseline)),
                esc(&fmt(m.current)),
                m.change * 100.0,
                m.p_value,
                t.effect_size
            );
        }
    }
    out.push_str("</tbody></table>\n");
    if !c.findings.is_empty() {
        out.push_str("<table id=\"finding-changes\"><thead><tr><th>status</th><th>rule</th><th>target</th><th>title</th></tr></thead><tbody>");
        for f in &c.findings {
            let status =
                serde_json::to_value(f.status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let _ = write!(
                out,
                "<tr><td>{status}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&f.code),
                esc(&f.target),
                esc(&f.title)
            );
        }
        out.push_str("</tbody></table>\n");
    }
}
