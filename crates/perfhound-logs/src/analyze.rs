//! [`Analyzer`]: reads inputs line by line (format detected from the first lines unless
//! given), counts and samples malformed lines, feeds records to [`Stats`], and
//! [`Analyzer::finish`]es into an [`Analysis`].

use crate::format::{LogFormat, Scratch};
use crate::read::{self, Input};
use crate::stats::Stats;
use crate::summary::Analysis;
use crate::Config;

/// Lines looked at to detect the format.
const DETECT_LINES: usize = 20;

/// A line that could not be read, as reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Malformed {
    pub source: String,
    pub line: u64,
    pub why: String,
}

/// Line counters of all inputs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    pub lines: u64,
    pub parsed: u64,
    pub blank: u64,
    pub malformed: u64,
}

pub struct Analyzer {
    format: Option<LogFormat>,
    fields: Vec<String>,
    scratch: Scratch,
    pending: Vec<(usize, u64, Vec<u8>, bool)>,
    pub(crate) stats: Stats,
    pub(crate) counts: Counts,
    pub(crate) samples: Vec<Malformed>,
    pub(crate) sources: Vec<String>,
    pub(crate) read_errors: Vec<String>,
}

impl Analyzer {
    /// `format`: `None` detects it; `fields`: JSON field mappings (`status=KEY`).
    pub fn new(cfg: Config, format: Option<LogFormat>, fields: Vec<String>) -> Analyzer {
        Analyzer {
            format,
            fields,
            scratch: Scratch::default(),
            pending: Vec::new(),
            stats: Stats::new(cfg),
            counts: Counts::default(),
            samples: Vec::new(),
            sources: Vec::new(),
            read_errors: Vec::new(),
        }
    }

    /// Reads one input to its end. A read error (a truncated gzip file) is kept for the
    /// report and ends this input, not the analysis.
    pub fn read(&mut self, input: Input) {
        let src = self.sources.len();
        self.sources.push(input.name.clone());
        let mut lineno = 0u64;
        let result = read::open(input.reader).and_then(|mut r| {
            read::lines(&mut *r, |line, overlong| {
                lineno += 1;
                self.line(src, lineno, line, overlong);
            })
        });
        if let Err(e) = result {
            self.read_errors.push(format!("{}: read error after line {lineno}: {e}", input.name));
        }
    }

    /// Analyzes one line (1-based `lineno` within source `src`).
    pub fn line(&mut self, src: usize, lineno: u64, bytes: &[u8], overlong: bool) {
        if self.format.is_none() {
            self.pending.push((src, lineno, bytes.to_vec(), overlong));
            if self.pending.iter().filter(|p| !p.2.is_empty()).count() >= DETECT_LINES {
                self.detect();
            }
            return;
        }
        self.counts.lines += 1;
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        if overlong {
            return self.malformed(src, lineno, format!("longer than {} KiB", read::MAX_LINE / 1024));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            self.counts.blank += 1;
            return;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => return self.malformed(src, lineno, format!("invalid UTF-8 at byte {}", e.valid_up_to() + 1)),
        };
        let Some(format) = self.format.as_ref() else { return };
        match format.parse(text, &mut self.scratch) {
            Ok(rec) => {
                self.counts.parsed += 1;
                self.stats.record(&rec);
            }
            Err(why) => self.malformed(src, lineno, why),
        }
    }

    fn malformed(&mut self, src: usize, line: u64, why: String) {
        self.counts.malformed += 1;
        if self.samples.len() < self.stats.config().malformed_samples {
            self.samples.push(Malformed { source: self.sources[src].clone(), line, why });
        }
    }

    fn detect(&mut self) {
        let sample: Vec<String> =
            self.pending.iter().map(|p| String::from_utf8_lossy(&p.2).trim_end_matches('\r').to_string()).collect();
        let refs: Vec<&str> = sample.iter().map(String::as_str).collect();
        // Detection only fails on a bad --field mapping, which the caller validated.
        self.format = LogFormat::detect(&refs, &self.fields).ok();
        if self.format.is_none() {
            self.format = LogFormat::from_flag("combined", &[]).ok();
        }
        for (src, lineno, bytes, overlong) in std::mem::take(&mut self.pending) {
            self.line(src, lineno, &bytes, overlong);
        }
    }

    /// The format in use (after detection).
    pub fn format_name(&self) -> Option<&str> {
        self.format.as_ref().map(LogFormat::name)
    }

    /// Ends the analysis: learns the last merges, simulates caches, builds findings.
    pub fn finish(mut self) -> Analysis {
        if self.format.is_none() {
            self.detect();
        }
        self.stats.learn();
        self.stats.flush_seconds();
        crate::summary::summarize(self)
    }

    pub(crate) fn take_format_name(&self) -> String {
        self.format_name().unwrap_or("unknown").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letters(mut i: usize) -> String {
        let mut s = String::new();
        loop {
            s.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
            if i == 0 {
                return s;
            }
        }
    }

    #[test]
    fn every_line_counted_and_slugs_merged_while_streaming() {
        let cfg = Config { max_histograms: 2, ..Config::default() };
        let mut a = Analyzer::new(cfg, None, Vec::new());
        let mut log = String::new();
        for i in 0..600 {
            let slug = letters(i % 300);
            log.push_str(&format!(
                "1.2.3.4 - - [06/Dec/2026:01:40:21 +0000] \"GET /products/item-{slug} HTTP/1.1\" 200 10 \"-\" \"ua\" 0.0{}\n",
                i % 10
            ));
        }
        log.push_str("\n\ngarbage\n");
        a.read(Input { name: "t.log".into(), reader: Box::new(std::io::Cursor::new(log.into_bytes())) });
        let r = a.finish();
        assert_eq!((r.counts.lines, r.counts.parsed, r.counts.blank, r.counts.malformed), (603, 600, 2, 1));
        assert_eq!(r.samples[0].line, 603);
        assert_eq!(r.endpoints.len(), 1, "{:?}", r.endpoints.iter().map(|e| &e.name).collect::<Vec<_>>());
        let e = &r.endpoints[0];
        assert_eq!((e.name.as_str(), e.requests, e.timed), ("GET /products/{var}", 600, 600));
        assert_eq!(r.merges_learned, 1);
    }
}
