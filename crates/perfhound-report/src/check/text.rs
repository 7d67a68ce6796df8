//! The `perfhound check` table: one row per result, actual vs limit.

use super::{CheckReport, LineOutcome, Status};
use crate::human;
use std::fmt::Write as _;

const MAX_TARGET_CHARS: usize = 48;

struct Row {
    status: Status,
    line: String,
    origin: String,
    target: String,
    actual: String,
    limit: String,
}

/// The table with a summary line, for a terminal or a CI log.
pub fn render_text(report: &CheckReport) -> String {
    let rows: Vec<Row> = report.lines.iter().flat_map(rows_of).collect();
    let headers = ["result", "budget line", "where", "target", "actual", "limit"];
    let cells = |r: &Row| {
        [
            r.status.as_str().to_string(),
            r.line.clone(),
            r.origin.clone(),
            r.target.clone(),
            r.actual.clone(),
            r.limit.clone(),
        ]
    };
    let mut widths = headers.map(|h| h.chars().count());
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(cells(row)) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    push_row(&mut out, &headers.map(String::from), &widths);
    for row in &rows {
        push_row(&mut out, &cells(row), &widths);
    }
    let _ = writeln!(
        out,
        "\n{} budget lines: {} passed, {} failed, {} without data",
        report.lines.len(),
        report.passed,
        report.failed,
        report.no_data
    );
    for note in &report.ignored {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

fn push_row(out: &mut String, cells: &[String; 6], widths: &[usize; 6]) {
    let mut line = String::from(" ");
    for (cell, width) in cells.iter().zip(widths) {
        let pad = width.saturating_sub(cell.chars().count());
        let _ = write!(line, " {cell}{}", " ".repeat(pad + 1));
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

fn rows_of(line: &LineOutcome) -> Vec<Row> {
    let base = |status, target: &str, actual: String, limit: String| Row {
        status,
        line: line.text.clone(),
        origin: line.origin.to_string(),
        target: shorten(target),
        actual,
        limit,
    };
    if line.results.is_empty() {
        let limit = line.expression.split_once(' ').map_or(String::new(), |(_, l)| l.to_string());
        return vec![base(Status::NoData, &format!("{} (no match)", line.selector), "\u{2014}".into(), limit)];
    }
    line.results
        .iter()
        .map(|r| {
            let status = match (r.actual, r.passed) {
                (None, _) => Status::NoData,
                (Some(_), true) => Status::Pass,
                (Some(_), false) => Status::Fail,
            };
            let actual = human::metric_value(r.metric, r.actual);
            base(status, &r.target, actual, human::limit(r.metric, r.comparison, r.limit))
        })
        .collect()
}

/// Long names keep their start and end: `GET /api/very/long…/{id}`.
fn shorten(name: &str) -> String {
    let chars: Vec<char> = name.chars().filter(|c| !c.is_control()).collect();
    if chars.len() <= MAX_TARGET_CHARS {
        return chars.into_iter().collect();
    }
    let head: String = chars[..MAX_TARGET_CHARS - 12].iter().collect();
    let tail: String = chars[chars.len() - 11..].iter().collect();
    format!("{head}\u{2026}{tail}")
}
