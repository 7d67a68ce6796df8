//! Outgoing HTTP calls to other services (here: the demo's own `/internal/*` routes on
//! loopback), one CLIENT span each, with W3C `traceparent` propagation so the callee's
//! SERVER span joins the caller's trace.

use crate::endpoints::read_body;
use crate::telemetry::Telemetry;
use crate::DemoError;
use bytes::Bytes;
use http_body_util::Empty;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use opentelemetry::trace::SpanKind;
use opentelemetry::{Context, KeyValue};

/// A keep-alive HTTP/1.1 client (no TLS: loopback only).
#[derive(Clone)]
pub struct Downstream {
    client: Client<HttpConnector, Empty<Bytes>>,
    tel: Telemetry,
}

impl Downstream {
    pub fn new(tel: Telemetry) -> Downstream {
        Downstream { client: Client::builder(TokioExecutor::new()).build_http(), tel }
    }

    /// `GET url` under `parent`; the span is named after `route` (the URL template).
    pub async fn get_json(&self, parent: &Context, url: &str, route: &str) -> Result<serde_json::Value, DemoError> {
        let uri: http::Uri = url.parse().map_err(|e| DemoError::Downstream(format!("{url}: {e}")))?;
        let mut attrs = vec![
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("url.full", url.to_string()),
            KeyValue::new("url.template", route.to_string()),
        ];
        if let Some(host) = uri.host() {
            attrs.push(KeyValue::new("server.address", host.to_string()));
        }
        if let Some(port) = uri.port_u16() {
            attrs.push(KeyValue::new("server.port", i64::from(port)));
        }
        let span = self.tel.span(parent, format!("GET {route}"), SpanKind::Client, attrs);
        let mut req = http::Request::get(uri).body(Empty::new()).map_err(|e| DemoError::Downstream(e.to_string()))?;
        self.tel.inject(span.cx(), req.headers_mut());
        let result = async {
            let resp = self.client.request(req).await.map_err(|e| DemoError::Downstream(format!("GET {url}: {e}")))?;
            span.set(KeyValue::new("http.response.status_code", i64::from(resp.status().as_u16())));
            let (parts, body) = read_body(resp).await?;
            span.set(KeyValue::new("http.response.body.size", body.len() as i64));
            if !parts.status.is_success() {
                return Err(DemoError::Downstream(format!("GET {url}: status {}", parts.status)));
            }
            serde_json::from_slice(&body).map_err(|e| DemoError::Downstream(format!("GET {url}: {e}")))
        }
        .await;
        if let Err(e) = &result {
            span.fail("downstream_error", e.to_string());
        }
        result
    }
}
