//! perfhound's TLS client side, shared by every engine that connects somewhere: one rustls
//! configuration builder (ring provider, no OpenSSL, no aws-lc), the one "accept any
//! certificate" verifier behind `--insecure` / `insecure=true` / `sslmode=require`, and
//! root stores (the public web PKI roots, or a PEM file of CA certificates).
//!
//! With the `postgres` feature, [`pg`] adds libpq's `sslmode`/`sslrootcert` semantics and a
//! rustls connector for tokio-postgres (channel binding included), used by `perfhound db`
//! and the PostgreSQL run store.
//!
//! A leaf below the engines (`Shared` layer): it depends on no perfhound crate.

pub mod tls;

#[cfg(feature = "postgres")]
pub mod pg;

pub use tls::{client_config, pem_roots, web_pki_roots, Trust};
