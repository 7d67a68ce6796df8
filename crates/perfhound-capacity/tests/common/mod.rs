//! What the capacity tests share: the one-URL GET plan each search starts from.

use perfhound_load::plan::{HttpOptions, Plan};
use perfhound_load::quick::{self, QuickOptions};
use std::time::Duration;

/// A GET of `url` at 1 req/s on one connection for 1 s (the search replaces the rate and
/// duration per step), stopped after `max_duration` whatever happens.
pub fn get_plan(url: String, max_duration: Duration) -> Plan {
    quick::plan(QuickOptions {
        url,
        connections: 1,
        duration: Some(Duration::from_secs(1)),
        requests: None,
        rate: Some(1.0),
        method: http::Method::GET,
        headers: Vec::new(),
        body: None,
        http: HttpOptions::default(),
        thresholds: Vec::new(),
        hard_cap: None,
        max_duration,
    })
    .unwrap()
}
