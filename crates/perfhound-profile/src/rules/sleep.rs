//! `PH-PROF007 sleep-on-path`
//!
//! **What it detects**: samples inside a sleep call — the profiler caught a thread
//! sleeping, so the sleep sits on a path that runs while the service works.
//!
//! **Why it matters**: a sleep on the request path adds its full duration to every
//! request that takes it (a retry back-off, a "wait for the replica", a debug delay left
//! in) and holds a worker doing nothing.
//!
//! **Example**: `time.Sleep` holds 8 % of a wall-clock Go profile, called from
//! `main.fetchWithRetry`.
//!
//! **Fix**: remove the sleep, or replace polling with a notification (a condition
//! variable, a channel, a database LISTEN), retry with a bounded, jittered back-off off
//! the request path, or make the wait asynchronous so the worker serves others.
//!
//! **Thresholds**: reported from `min_share` = 1 % (a sleep costs nothing but time, and a
//! sampled one is real), critical from 10 %. Only wall-clock profiles (py-spy `--idle`,
//! Go's fgprof, async-profiler `wall`) or native stacks record sleeping threads; a CPU
//! profile without these frames says nothing about sleeps. Frames recognised: libc
//! `nanosleep`/`clock_nanosleep`/`usleep`, CPython's `time_sleep`, Go's `time.Sleep`,
//! Rust's `std::thread::sleep`, JVM `Thread.sleep`, Node's `Atomics.wait`.

use super::stacks::{Category, Context, Frames};
use super::ProfileRule;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-PROF007",
    name: "sleep-on-path",
    severity: Severity::Warning,
    summary: "The profile caught threads sleeping on a path that runs while the service works.",
    why: "A sleep adds its full duration to every request that takes it and holds a worker doing nothing.",
    fix: "Remove the sleep, or replace polling with a notification, retry with a bounded jittered back-off off the request path, or wait asynchronously.",
};

pub struct Sleep;

pub(super) const CATEGORY: Category = Category {
    rule: &RULE,
    frames: Frames {
        names: &[
            "nanosleep",
            "__nanosleep",
            "clock_nanosleep",
            "__clock_nanosleep",
            "__GI___clock_nanosleep",
            "usleep",
            "time_sleep",
            "pysleep",
            "time.Sleep",
            "runtime.timeSleep",
            "*std::thread::sleep*",
            "java.lang.Thread.sleep*",
            "java/lang/Thread.sleep*",
            "Atomics.wait",
        ],
        files: &[],
        in_files: &[],
        via: &[],
    },
    what: "Sleeping",
    min_share: 0.01,
    critical_share: 0.10,
    effort: Effort::QuickWin,
};

impl ProfileRule for Sleep {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        CATEGORY.check(cx)
    }
}
