//! The scenario file as written: serde structs with `deny_unknown_fields`, nothing resolved.
//!
//! Fields validated beyond their type are `Spanned` so errors can point at them. k6-style
//! camelCase keys are accepted through serde aliases; Artillery keys live in their own
//! structs ([`RawArtilleryConfig`], [`RawPhase`]). Shapes that vary are [`Node`]s.

use perfhound_yaml::{Entries, Node};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize as DeriveDeserialize;
use serde_saphyr::Spanned;
use std::fmt;

pub(crate) type Field<T> = Option<Spanned<T>>;

/// The whole file.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub base_url: Field<String>,
    pub http: Field<RawHttp>,
    pub hard_cap: Field<Node>,
    pub scenarios: Field<RawScenarios>,
    pub data: Field<Entries<RawData>>,
    pub thresholds: Field<Node>,
    /// The default flow: the single implicit scenario's steps, or the steps of every
    /// scenario that has no `flow` of its own (like k6's default function).
    pub flow: Field<Vec<Spanned<RawStep>>>,
    // k6 top-level options.
    pub vus: Field<u64>,
    pub duration: Field<Node>,
    pub iterations: Field<u64>,
    pub stages: Field<Vec<Spanned<RawStage>>>,
    // Artillery.
    pub config: Field<RawArtilleryConfig>,
    /// Read by `perfhound audit` (the same file drives the load): ignored here.
    #[serde(rename = "audit")]
    pub _audit: Option<serde::de::IgnoredAny>,
    /// Budgets for `perfhound audit`: ignored by the load itself.
    #[serde(rename = "budgets")]
    pub _budgets: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Default, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    pub http2: Option<bool>,
    pub insecure: Option<bool>,
    pub connect_timeout: Field<Node>,
    #[serde(alias = "request_timeout")]
    pub timeout: Field<Node>,
    pub max_redirects: Field<u32>,
}

/// `scenarios:` as a map (name → scenario) or, Artillery-style, a list with `name`s.
#[derive(Debug)]
pub enum RawScenarios {
    Map(Vec<(Spanned<String>, Spanned<RawScenario>)>),
    List(Vec<Spanned<RawScenario>>),
}

impl<'de> Deserialize<'de> for RawScenarios {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawScenarios;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of scenario names to scenarios, or a list of scenarios")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawScenarios, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    out.push((key, map.next_value()?));
                }
                Ok(RawScenarios::Map(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawScenarios, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                Ok(RawScenarios::List(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// One scenario: executor settings (snake_case or k6 camelCase) and a flow.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Only in the list form; in the map form the key is the name.
    pub name: Field<String>,
    pub executor: Field<String>,
    #[serde(alias = "startRate")]
    pub start_rate: Field<f64>,
    pub rate: Field<f64>,
    #[serde(alias = "timeUnit")]
    pub time_unit: Field<Node>,
    pub duration: Field<Node>,
    pub stages: Field<Vec<Spanned<RawStage>>>,
    pub vus: Field<u64>,
    pub iterations: Field<u64>,
    #[serde(alias = "preAllocatedVUs", alias = "preAllocatedVus")]
    pub pre_allocated_vus: Field<u64>,
    #[serde(alias = "maxVUs", alias = "maxVus")]
    pub max_vus: Field<u64>,
    #[serde(alias = "startVUs", alias = "startVus")]
    pub start_vus: Field<u64>,
    #[serde(alias = "maxDuration")]
    pub max_duration: Field<Node>,
    #[serde(alias = "startTime")]
    pub start_time: Field<Node>,
    #[serde(alias = "gracefulStop")]
    pub graceful_stop: Field<Node>,
    pub flow: Field<Vec<Spanned<RawStep>>>,
    pub data: Field<Entries<RawData>>,
    /// Artillery: share of the arrival rate.
    pub weight: Field<f64>,
}

/// `{duration: 30s, target: 50}`.
#[derive(Debug, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub duration: Spanned<Node>,
    pub target: Spanned<f64>,
}

/// `user: {csv: users.csv, mode: per-vu, order: sequential}`.
#[derive(Debug, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    #[serde(alias = "path")]
    pub csv: Spanned<String>,
    pub mode: Field<String>,
    pub order: Field<String>,
}

/// One flow step: a request (`get: /x`, or `method:` + `url:`) or a `think` pause.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub name: Field<String>,
    pub get: Field<RawTarget>,
    pub post: Field<RawTarget>,
    pub put: Field<RawTarget>,
    pub patch: Field<RawTarget>,
    pub delete: Field<RawTarget>,
    pub head: Field<RawTarget>,
    pub options: Field<RawTarget>,
    pub method: Field<String>,
    pub url: Field<String>,
    pub headers: Field<Node>,
    #[serde(alias = "qs")]
    pub query: Field<Node>,
    pub json: Field<Node>,
    pub body: Field<String>,
    pub body_file: Field<String>,
    pub content_type: Field<String>,
    pub form: Field<Node>,
    pub capture: Field<Node>,
    #[serde(alias = "checks")]
    pub check: Field<RawCheck>,
    /// Artillery's expect plugin: `[{statusCode: 200}, {contentType: json}]`.
    pub expect: Field<Node>,
    pub abort_on_fail: Field<bool>,
    pub think: Field<Node>,
}

/// The value of `get:` & co: a URL, or (Artillery) a mapping with `url` and request fields.
#[derive(Debug)]
pub enum RawTarget {
    Url(String),
    Detail(Box<RawStep>),
}

impl<'de> Deserialize<'de> for RawTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawTarget;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a URL or path, or a mapping with `url:` and request fields")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTarget, E> {
                Ok(RawTarget::Url(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawTarget, A::Error> {
                RawStep::deserialize(de::value::MapAccessDeserializer::new(map)).map(|s| RawTarget::Detail(Box::new(s)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `check: {status: 200, latency: "< 200ms", body_contains: ok, header: {..}, json: {..}}`.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub status: Field<Node>,
    pub latency: Field<Node>,
    pub body_contains: Field<String>,
    #[serde(alias = "headers")]
    pub header: Field<Node>,
    pub json: Field<Node>,
}

/// Artillery's `config:` block.
#[derive(Debug, Default, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArtilleryConfig {
    pub target: Field<String>,
    pub phases: Field<Vec<Spanned<RawPhase>>>,
    pub http: Field<RawArtilleryHttp>,
    pub tls: Option<RawArtilleryTls>,
    pub defaults: Option<RawArtilleryDefaults>,
    /// `ensure: {p95: 200, maxErrorRate: 1}` → thresholds.
    pub ensure: Field<Node>,
}

/// `{duration: 60, arrivalRate: 10, rampTo: 100}`, `{duration: 60, arrivalCount: 30}`, `{pause: 10}`.
#[derive(Debug, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPhase {
    pub duration: Field<Node>,
    #[serde(rename = "arrivalRate", alias = "arrival_rate")]
    pub arrival_rate: Field<f64>,
    #[serde(rename = "rampTo", alias = "ramp_to")]
    pub ramp_to: Field<f64>,
    #[serde(rename = "arrivalCount", alias = "arrival_count")]
    pub arrival_count: Field<f64>,
    pub pause: Field<Node>,
    #[serde(rename = "maxVusers", alias = "max_vusers")]
    pub max_vusers: Field<u64>,
    /// A label only.
    #[serde(rename = "name")]
    pub _name: Option<String>,
}

#[derive(Debug, Default, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArtilleryHttp {
    /// Seconds when a bare number.
    pub timeout: Field<Node>,
}

#[derive(Debug, Default, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArtilleryTls {
    #[serde(rename = "rejectUnauthorized")]
    pub reject_unauthorized: Option<bool>,
}

#[derive(Debug, Default, DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArtilleryDefaults {
    pub headers: Field<Node>,
}
