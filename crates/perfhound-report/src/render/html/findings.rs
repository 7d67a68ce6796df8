//! The HTML bottleneck analysis (one card per ranked finding) and recommendations.

use super::esc;
use crate::human;
use crate::render::escape::html_spans;
use crate::render::{evidence_items, horizon_title, impact_text};
use crate::report::{Bottleneck, FindingStatus, Report};
use std::fmt::Write as _;

pub(crate) fn bottlenecks(out: &mut String, report: &Report) {
    out.push_str("<section id=\"bottlenecks\"><h2>Bottleneck Analysis</h2>\n");
    if report.bottlenecks.is_empty() {
        out.push_str("<p>No findings: no detector reported a problem.</p>");
    }
    for b in &report.bottlenecks {
        bottleneck(out, b);
    }
    out.push_str("</section>\n");
}

fn bottleneck(out: &mut String, b: &Bottleneck) {
    let f = &b.finding;
    let _ = writeln!(
        out,
        "<article class=\"finding {}\" id=\"finding-{}\"><h3>{}. {}</h3><dl>",
        f.severity,
        b.rank,
        b.rank,
        html_spans(&f.title)
    );
    let mut row = |label: &str, html: String| {
        let _ = write!(out, "<dt>{}</dt><dd>{html}</dd>", esc(label));
    };
    row(
        "Issue",
        format!(
            "<code>{}</code> {} — {} severity, {} confidence",
            esc(&f.rule.code),
            esc(&f.rule.name),
            f.severity,
            human::confidence(f.confidence)
        ),
    );
    row("Target", format!("<code>{}</code>", esc(&f.target)));
    if !f.affected.is_empty() {
        let names: Vec<String> = f.affected.iter().map(|n| format!("<code>{}</code>", esc(n))).collect();
        row("Affects", format!("{} ({})", names.join(", "), f.affected.len()));
    }
    row("Impact", esc(&impact_text(b)));
    if let Some(loc) = &f.evidence.location {
        row("Location", format!("<code>{}</code>", esc(loc)));
    }
    for (label, value) in evidence_items(f) {
        row(&label, esc(&value));
    }
    if let Some(status) = b.baseline {
        row("Since baseline", if status == FindingStatus::New { "new".into() } else { "persisting".into() });
    }
    out.push_str("</dl>");
    if let Some(query) = &f.evidence.query {
        code_block(out, "Query", query, Some("sql"));
    }
    if let Some(code) = &f.evidence.code {
        code_block(out, "Current implementation", code, f.evidence.code_lang.as_deref());
    }
    let _ = write!(out, "<p><b>Recommendation</b>: {}</p>", html_spans(&f.recommendation.text));
    if let Some(snippet) = &f.recommendation.snippet {
        code_block(out, "Optimized solution", snippet, f.recommendation.snippet_lang.as_deref());
    }
    if let Some(share) = b.share {
        let _ =
            write!(out, "<p><b>Expected improvement</b>: ~{} of measured response time</p>", esc(&human::pct(share)));
    }
    out.push_str("</article>\n");
}

fn code_block(out: &mut String, label: &str, code: &str, lang: Option<&str>) {
    let lang = lang.map_or(String::new(), |l| format!(" data-lang=\"{}\"", esc(l)));
    let _ = write!(out, "<p><b>{}</b>:</p><pre{lang}><code>{}</code></pre>", esc(label), esc(code));
}

pub(crate) fn recommendations(out: &mut String, report: &Report) {
    out.push_str("<section id=\"recommendations\"><h2>Optimization Recommendations</h2>\n");
    for group in &report.recommendations {
        let _ = write!(out, "<h3>{}</h3>", esc(horizon_title(group.horizon)));
        if group.items.is_empty() {
            out.push_str("<p class=\"meta\">None.</p>");
            continue;
        }
        out.push_str("<ol>");
        for item in &group.items {
            let targets: Vec<String> = item.targets.iter().map(|t| format!("<code>{}</code>", esc(t))).collect();
            let ranks: Vec<String> = item.ranks.iter().map(|r| format!("<a href=\"#finding-{r}\">#{r}</a>")).collect();
            let _ = write!(
                out,
                "<li><b>{}</b> (<code>{}</code>) — {}<br><span class=\"meta\">Targets: {} · bottleneck {}</span>",
                esc(&item.rule.name),
                esc(&item.rule.code),
                html_spans(&item.text),
                targets.join(", "),
                ranks.join(", ")
            );
            if let Some(snippet) = &item.snippet {
                let _ = write!(out, "<pre><code>{}</code></pre>", esc(snippet));
            }
            if let Some(share) = item.share {
                let _ = write!(out, "<p><b>Impact</b>: ~{} of measured response time</p>", esc(&human::pct(share)));
            }
            out.push_str("</li>");
        }
        out.push_str("</ol>");
    }
    out.push_str("</section>\n");
}
