//! `PH-PROF002 serialization-hot`
//!
//! **What it detects**: a large share of the profile in JSON encoding or decoding — the
//! stacks that pass through the serializer's frames, counted once per sample.
//!
//! **Why it matters**: serialization is pure CPU on the request path; encoding a large
//! response (or re-encoding the same data on every request) grows with the payload, and a
//! worker that encodes serves nobody else meanwhile.
//!
//! **Example**: `iterencode (json/encoder.py)` and `dumps` hold 37 % of a py-spy profile,
//! called from `encode (app.py:12)`, which serializes 2 000 rows per request.
//!
//! **Fix**: send less (paginate, select fields), cache the encoded bytes of data that
//! rarely changes, or use a faster codec (orjson, simdjson/sonic, serde_json instead of
//! `serde_json::Value`, Jackson afterburner).
//!
//! **Thresholds**: reported from `min_share` = 10 % of the profile (an ordinary JSON API
//! spends a few percent encoding its responses; a tenth is a cost worth a look), critical
//! from 30 %. Frames recognised: Python's `json` package (and simplejson), Node/V8
//! `JSON.stringify`/`JSON.parse` builtins and their native `JsonStringifier`/`JsonParser`,
//! Go's `encoding/json` (and go-json, jsoniter, sonic), Rust's `serde_json`/`simd_json`,
//! JVM Jackson, Gson and org.json. V8 inlines `JSON.stringify` into its caller in a
//! `.cpuprofile`, so there it shows only in `perf` profiles: nothing is claimed then.

use super::stacks::{Category, Context, Frames};
use super::ProfileRule;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-PROF002",
    name: "serialization-hot",
    severity: Severity::Warning,
    summary: "JSON encoding or decoding holds a large share of the CPU profile.",
    why: "Serialization is CPU on the request path that grows with the payload; a worker that encodes serves nobody else meanwhile.",
    fix: "Send less (paginate, select fields), cache the encoded bytes of data that rarely changes, or use a faster codec (orjson, sonic/go-json, typed serde_json, Jackson afterburner).",
};

pub struct Serialization;

pub(super) const CATEGORY: Category = Category {
    rule: &RULE,
    frames: Frames {
        names: &[
            "JSON.stringify",
            "JSON.parse",
            "Builtin:JsonStringify",
            "Builtin:JsonParse",
            "*JsonStringifier*",
            "*JsonParser*",
            "encoding/json.*",
            "github.com/goccy/go-json.*",
            "github.com/json-iterator/go.*",
            "github.com/bytedance/sonic*",
            "*serde_json::*",
            "*simd_json::*",
            "com.fasterxml.jackson.*",
            "com/fasterxml/jackson/*",
            "com.google.gson.*",
            "com/google/gson/*",
            "org.json.*",
        ],
        files: &["/json/encoder.py", "/json/decoder.py", "/json/__init__.py", "/simplejson/", "/fast-json-stringify/"],
        in_files: &[],
        via: &[],
    },
    what: "JSON serialization",
    min_share: 0.10,
    critical_share: 0.30,
    effort: Effort::MediumTerm,
};

impl ProfileRule for Serialization {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        CATEGORY.check(cx)
    }
}
