//! `PH-PROF004 logging-hot`
//!
//! **What it detects**: a large share of the profile inside the logging library — stacks
//! through the logger's frames, counted once per sample.
//!
//! **Why it matters**: logging formats strings, takes locks and writes to a file or pipe
//! on the request path; a debug log in a loop or a synchronous handler can cost more than
//! the work it describes.
//!
//! **Example**: `Logger._log` → `StreamHandler.emit` hold 12 % of a py-spy profile, called
//! from `score_item` once per item.
//!
//! **Fix**: raise the level in production, log once per request instead of per item, use
//! lazy formatting (`log.debug("%s", x)`, not f-strings), and an asynchronous or buffered
//! handler (QueueHandler, pino's async destination, zap, logback AsyncAppender).
//!
//! **Thresholds**: reported from `min_share` = 5 % (well-behaved services spend around
//! 1 % in logging), critical from 20 %. Frames recognised: Python's `logging`, structlog
//! and loguru, Node's `console` internals, pino, winston, bunyan and log4js, Go's `log`,
//! `log/slog`, zap, logrus and zerolog, Rust's `log`, `tracing-subscriber` and
//! `env_logger`, JVM slf4j, logback, log4j and java.util.logging.

use super::stacks::{Category, Context, Frames};
use super::ProfileRule;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-PROF004",
    name: "logging-hot",
    severity: Severity::Warning,
    summary: "Logging holds a large share of the CPU profile.",
    why: "Logging formats strings, takes locks and writes synchronously on the request path; a log call in a loop can cost more than the work it describes.",
    fix: "Raise the level in production, log once per request rather than per item, format lazily, and use an asynchronous or buffered handler.",
};

pub struct Logging;

pub(super) const CATEGORY: Category = Category {
    rule: &RULE,
    frames: Frames {
        names: &[
            "log.*",
            "log/slog.*",
            "go.uber.org/zap*",
            "github.com/sirupsen/logrus*",
            "github.com/rs/zerolog*",
            "*log::__private_api*",
            "*tracing_subscriber::*",
            "*env_logger::*",
            "org.slf4j.*",
            "ch.qos.logback.*",
            "org.apache.logging.log4j.*",
            "org.apache.log4j.*",
            "java.util.logging.*",
            "org/slf4j/*",
            "ch/qos/logback/*",
        ],
        files: &[
            "/logging/__init__.py",
            "/logging/handlers.py",
            "/structlog/",
            "/loguru/",
            "internal/console/",
            "/node_modules/pino/",
            "/node_modules/winston/",
            "/node_modules/bunyan/",
            "/node_modules/log4js/",
        ],
        in_files: &[],
        via: &[],
    },
    what: "Logging",
    min_share: 0.05,
    critical_share: 0.20,
    effort: Effort::QuickWin,
};

impl ProfileRule for Logging {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        CATEGORY.check(cx)
    }
}
