//! `POST /v1/traces`: OTLP/HTTP export requests, protobuf or JSON, optionally gzip.

use crate::error::AppError;
use crate::State;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use perfhound_traces::ingest::{otlp_json, otlp_proto};
use perfhound_traces::span::Span;
use std::io::Read as _;
use std::sync::Arc;

/// Which encoding the body is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Protobuf,
    Json,
}

fn kind(headers: &HeaderMap) -> Result<Kind, AppError> {
    let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("application/x-protobuf");
    let base = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match base.as_str() {
        "application/x-protobuf" | "application/protobuf" | "application/octet-stream" => Ok(Kind::Protobuf),
        "application/json" => Ok(Kind::Json),
        _ => Err(AppError::UnsupportedType(ct.to_string())),
    }
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, AppError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = source {
            if s.to_string().contains("length limit exceeded") {
                return AppError::TooLarge { limit };
            }
            source = s.source();
        }
        AppError::Body
    })
}

fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    let mut d = flate2::read::MultiGzDecoder::new(body).take(limit as u64 + 1);
    d.read_to_end(&mut out).map_err(|e| AppError::BadGzip(e.to_string()))?;
    if out.len() > limit {
        return Err(AppError::TooLarge { limit });
    }
    Ok(out)
}

fn decode(kind: Kind, bytes: &[u8]) -> Result<Vec<Span>, AppError> {
    let mut spans: Vec<Span> = Vec::new();
    match kind {
        Kind::Protobuf => otlp_proto::decode(bytes, &mut spans).map_err(|e| AppError::BadProtobuf(e.to_string()))?,
        Kind::Json => otlp_json::decode_slice(bytes, &mut spans).map_err(|e| AppError::BadJson(e.to_string()))?,
    }
    Ok(spans)
}

async fn export(state: &State, headers: &HeaderMap, body: Body) -> Result<Kind, AppError> {
    let kind = kind(headers)?;
    let limit = state.cfg.max_body_bytes;
    let raw = read_body(body, limit).await?;
    state.metrics.bytes_received.inc_by(raw.len() as u64);
    let encoding =
        headers.get("content-encoding").and_then(|v| v.to_str().ok()).unwrap_or("").trim().to_ascii_lowercase();
    let spans = match encoding.as_str() {
        "" | "identity" => decode(kind, &raw)?,
        "gzip" | "x-gzip" => decode(kind, &gunzip(&raw, limit)?)?,
        other => return Err(AppError::UnsupportedEncoding(other.to_string())),
    };
    state.metrics.spans_received.inc_by(spans.len() as u64);
    state.ingest(spans);
    Ok(kind)
}

/// The handler.
pub async fn traces(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match export(&state, &headers, body).await {
        Ok(kind) => {
            state.metrics.payload("accepted");
            // An empty ExportTraceServiceResponse: zero bytes in protobuf, `{}` in JSON.
            match kind {
                Kind::Protobuf => {
                    (StatusCode::OK, [("content-type", "application/x-protobuf")], Vec::new()).into_response()
                }
                Kind::Json => (StatusCode::OK, [("content-type", "application/json")], "{}").into_response(),
            }
        }
        Err(e) => {
            state.metrics.payload(e.outcome());
            e.into_response()
        }
    }
}
