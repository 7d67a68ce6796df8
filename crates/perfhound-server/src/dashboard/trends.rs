//! Per-endpoint p50/p95/p99 trends across runs (commits), change points marked, and the
//! regressions they add up to.

use super::layout::{self, esc, short};
use super::{chart, with_store, Dashboard, PageError};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use perfhound_model::Metric;
use perfhound_store::trend::{self, Trend, REGRESSION_METRICS};
use perfhound_store::Filter;
use std::fmt::Write as _;
use std::sync::Arc;

/// `?branch=` narrows the runs; `?limit=` (default 100) bounds them; at most 12 targets.
#[derive(serde::Deserialize, Default)]
pub struct TrendQuery {
    branch: Option<String>,
    limit: Option<usize>,
}

pub async fn page(State(d): State<Arc<Dashboard>>, Query(q): Query<TrendQuery>) -> Result<Response, PageError> {
    let branch = q.branch.filter(|b| !b.is_empty());
    let form = format!(
        "<form method=\"get\" action=\"/trends\"><label>branch <input name=\"branch\" value=\"{}\"></label> \
         <button type=\"submit\">Show</button></form>\n",
        esc(branch.as_deref().unwrap_or(""))
    );
    let filter = Filter { branch, limit: q.limit.unwrap_or(100), ..Default::default() };
    let charts = with_store(&d, move |s| {
        let targets = s.series_targets(Metric::P95, &filter)?;
        let mut out = Vec::new();
        for target in targets.into_iter().take(12) {
            let trends = REGRESSION_METRICS
                .iter()
                .map(|m| trend::trend(s, &target, *m, &filter))
                .collect::<Result<Vec<Trend>, _>>()?;
            out.push((target, trends));
        }
        Ok(out)
    })
    .await?;
    let mut body = form;
    if charts.is_empty() {
        body.push_str("<p class=\"muted\">No latency series yet: runs of load, traces and audit appear here.</p>");
    }
    for (target, trends) in &charts {
        let _ = write!(body, "<section class=\"trend\"><h2>{}</h2>{}", esc(target), chart::svg(target, trends));
        changes_table(&mut body, trends);
        body.push_str("</section>\n");
    }
    Ok(layout::page(StatusCode::OK, "Trends", "/trends", &body))
}

fn changes_table(out: &mut String, trends: &[Trend]) {
    let rows: Vec<String> = trends
        .iter()
        .flat_map(|t| t.change_points.iter().map(move |c| (t, c)))
        .map(|(t, c)| {
            let p = &t.points[c.index];
            let class = if c.change > 0.0 { "regression" } else { "improvement" };
            let fmt = |v: f64| perfhound_term::human::duration_us(v);
            format!(
                "<tr class=\"{class}\"><td>{}</td><td class=\"num\">{:+.1}%</td><td class=\"num\">{} → {}</td>\
                 <td><a href=\"/runs/{}\">#{}</a></td><td>{}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.3}</td></tr>",
                t.metric,
                c.change * 100.0,
                esc(&fmt(c.mean_before)),
                esc(&fmt(c.mean_after)),
                esc(&p.run_id),
                p.seq,
                esc(short(&p.git_commit)),
                c.effect_size,
                c.p_value
            )
        })
        .collect();
    if rows.is_empty() {
        out.push_str("<p class=\"muted\">No change point.</p>");
        return;
    }
    out.push_str(
        "<table class=\"changes\"><thead><tr><th>metric</th><th class=\"num\">change</th><th class=\"num\">mean before → after</th>\
         <th>first run</th><th>commit</th><th class=\"num\">effect δ</th><th class=\"num\">p</th></tr></thead><tbody>",
    );
    out.push_str(&rows.join(""));
    out.push_str("</tbody></table>");
}
