//! One error type for every handler, mapped to a status and a plain-text reason. Clients
//! learn what was wrong with their payload, never anything about the server's internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("request body exceeds the {limit}-byte limit")]
    TooLarge { limit: usize },
    #[error("unsupported Content-Type `{0}`: send application/x-protobuf or application/json")]
    UnsupportedType(String),
    #[error("unsupported Content-Encoding `{0}`: send gzip or no encoding")]
    UnsupportedEncoding(String),
    #[error("invalid gzip body: {0}")]
    BadGzip(String),
    #[error("invalid OTLP/protobuf: {0}")]
    BadProtobuf(String),
    #[error("invalid OTLP/JSON: {0}")]
    BadJson(String),
    #[error("could not read the request body")]
    Body,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedType(_) | AppError::UnsupportedEncoding(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// Label for the `perfhound_otlp_payloads_total{outcome}` metric.
    pub fn outcome(&self) -> &'static str {
        match self {
            AppError::TooLarge { .. } => "too_large",
            AppError::UnsupportedType(_) | AppError::UnsupportedEncoding(_) => "unsupported",
            _ => "bad_request",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status(), [("content-type", "text/plain; charset=utf-8")], format!("{self}\n")).into_response()
    }
}
