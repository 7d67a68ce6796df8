//! Before any load: can we reach every literal origin of the plan?
//!
//! One TCP (and TLS) connection per distinct origin, so "connection refused" becomes one
//! clear message and exit code 2 instead of a run full of errors.

use crate::client::{Connector, Origin};
use crate::plan::{Plan, Step};
use std::collections::BTreeSet;

/// Why the run could not start.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    #[error("cannot reach {url}: {message}\n  is the server running and listening there? (perfhound checks every target before sending load; pass --no-preflight to skip)")]
    Unreachable { url: String, message: String },
    #[error("invalid URL `{url}`: {message}")]
    InvalidUrl { url: String, message: String },
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// Connects once to every origin whose URL is known before the run.
pub async fn check(plan: &Plan, connector: &Connector) -> Result<(), PreflightError> {
    let mut seen = BTreeSet::new();
    for sc in &plan.scenarios {
        for step in &sc.flow {
            let Step::Request(req) = step else { continue };
            let Some(url) = req.url.as_literal() else { continue };
            let uri: http::Uri = url.parse().map_err(|e: http::uri::InvalidUri| PreflightError::InvalidUrl {
                url: url.into(),
                message: e.to_string(),
            })?;
            let origin = Origin::from_uri(&uri)
                .map_err(|e| PreflightError::InvalidUrl { url: url.into(), message: e.message })?;
            if !seen.insert((origin.https, origin.host().to_string(), origin.port())) {
                continue;
            }
            connector
                .connect(&origin)
                .await
                .map_err(|e| PreflightError::Unreachable { url: url.to_string(), message: e.message })?;
        }
    }
    Ok(())
}
