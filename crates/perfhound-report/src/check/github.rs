//! GitHub Actions workflow commands: `::error file=…,line=…::message` per failed line,
//! `::warning` per line without data, so budgets show up on the pull request's diff.

use super::junit::{detail, no_data_message};
use super::{CheckReport, Status};

/// One workflow command per failed or data-less budget line.
pub fn render_annotations(report: &CheckReport) -> String {
    let mut out = String::new();
    for line in &report.lines {
        let (level, message) = match line.status {
            Status::Pass => continue,
            Status::Fail => {
                let failed: Vec<String> =
                    line.results.iter().filter(|r| r.actual.is_some() && !r.passed).map(detail).collect();
                ("error", format!("budget `{}` breached: {}", line.text, failed.join("; ")))
            }
            Status::NoData => ("warning", format!("budget `{}` not judged: {}", line.text, no_data_message(line))),
        };
        out.push_str(&format!(
            "::{level} file={},line={},col={},title={}::{}\n",
            property(&line.origin.file),
            line.origin.line,
            line.origin.column,
            property(&format!("perfhound budget {}", line.expression)),
            data(&message)
        ));
    }
    out
}

/// Escapes a command's message (GitHub's `escapeData`).
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property (GitHub's `escapeProperty`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
