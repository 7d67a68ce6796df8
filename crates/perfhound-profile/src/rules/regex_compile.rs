//! `PH-PROF003 regex-compile-hot`
//!
//! **What it detects**: regular expressions being compiled while the profile ran — stacks
//! through the regex compiler, counted once per sample.
//!
//! **Why it matters**: compiling a pattern costs orders of magnitude more than matching
//! it; in steady state a service compiles its patterns once. Compiler frames in a profile
//! mean a pattern is built per call (`Regex::new` in a handler, `new RegExp` in a loop,
//! `re.compile` on more patterns than Python's 512-entry cache holds).
//!
//! **Example**: `regexp.MustCompile` → `regexp/syntax.Parse` hold 6 % of a Go profile,
//! called from `main.validate`, which builds the pattern on every request.
//!
//! **Fix**: compile once — a module-level constant, `once_cell`/`LazyLock`, a
//! package-level `var re = regexp.MustCompile(…)`, a `static final Pattern`.
//!
//! **Thresholds**: reported from `min_share` = 2 % (a service that compiles at start-up
//! only shows no compiler frames at all after warm-up), critical from 20 %. Frames
//! recognised: Python's `re` compiler (`re/_compiler.py`, `re/_parser.py`, `sre_compile`,
//! `re._compile`), V8's `RegExpCompiler`/`RegExpImpl::Compile`, Go's `regexp.Compile`,
//! `regexp.MustCompile` and `regexp/syntax`, Rust's `regex::Regex::new`, regex builders
//! and `regex_syntax`, JVM `java.util.regex.Pattern.compile`.

use super::stacks::{Category, Context, Frames};
use super::ProfileRule;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-PROF003",
    name: "regex-compile-hot",
    severity: Severity::Warning,
    summary: "Regular expressions are compiled on the hot path, not once.",
    why: "Compiling a pattern costs far more than matching it; compiler frames in a steady-state profile mean a pattern is rebuilt per call.",
    fix: "Compile each pattern once: a module-level constant, LazyLock/once_cell, a package-level regexp.MustCompile, a static final Pattern.",
};

pub struct RegexCompile;

pub(super) const CATEGORY: Category = Category {
    rule: &RULE,
    frames: Frames {
        names: &[
            "*RegExpCompiler*",
            "*RegExpImpl::Compile*",
            "*RegExp::Compile*",
            "regexp.Compile",
            "regexp.MustCompile",
            "regexp.compile",
            "regexp/syntax.*",
            "*regex::Regex::new*",
            "*regex::regex::string::Regex::new*",
            "*regex::builders::*",
            "*regex_syntax::*",
            "java.util.regex.Pattern.compile",
            "java.util.regex.Pattern.<init>",
            "java/util/regex/Pattern.compile",
            "java/util/regex/Pattern.<init>",
        ],
        files: &["/re/_compiler.py", "/re/_parser.py", "/sre_compile.py", "/sre_parse.py"],
        in_files: &[],
        via: &[],
    },
    what: "Regex compilation",
    min_share: 0.02,
    critical_share: 0.20,
    effort: Effort::QuickWin,
};

impl ProfileRule for RegexCompile {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        CATEGORY.check(cx)
    }
}
