//! JUnit XML for CI test tabs: one test case per budget line, failed lines as failures,
//! lines without data as skipped.

use super::{CheckReport, LineOutcome, Status};
use crate::human;
use std::fmt::Write as _;

/// The JUnit XML document for a check.
pub fn render_junit(report: &CheckReport) -> String {
    let file = xml(&report.budget_file);
    let (tests, failures, skipped) = (report.lines.len(), report.failed, report.no_data);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"perfhound check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{file}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    for line in &report.lines {
        test_case(&mut out, line);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn test_case(out: &mut String, line: &LineOutcome) {
    let name = xml(&format!("{}: {}", line.selector, line.expression));
    let _ = write!(
        out,
        "    <testcase name=\"{name}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
        xml(&line.origin.file),
        xml(&line.origin.file),
        line.origin.line
    );
    match line.status {
        Status::Pass => out.push_str("/>\n"),
        Status::Fail => {
            let failed: Vec<String> =
                line.results.iter().filter(|r| r.actual.is_some() && !r.passed).map(detail).collect();
            let message = xml(failed.first().map_or("", String::as_str));
            let _ = writeln!(
                out,
                ">\n      <failure type=\"budget\" message=\"{message}\">{}</failure>",
                xml(&failed.join("\n"))
            );
            out.push_str("    </testcase>\n");
        }
        Status::NoData => {
            let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>", xml(&no_data_message(line)));
            out.push_str("    </testcase>\n");
        }
    }
}

/// `GET /api/orders: p99 = 1.2s, limit <= 800ms`.
pub(crate) fn detail(r: &perfhound_model::BudgetResult) -> String {
    format!(
        "{}: {} = {}, limit {}",
        r.target,
        r.metric,
        human::metric_value(r.metric, r.actual),
        human::limit(r.metric, r.comparison, r.limit)
    )
}

pub(crate) fn no_data_message(line: &LineOutcome) -> String {
    if line.results.is_empty() {
        format!("no target matched `{}`", line.selector)
    } else {
        format!("`{}` was not measured for {}", line.expression, line.selector)
    }
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
