//! rustls client configurations: what to trust ([`Trust`]) → an `Arc<ClientConfig>`.
//!
//! Handshake signatures are always verified; only the certificate check varies:
//! - [`Trust::AnyCertificate`]: encrypt without verifying the certificate (`--insecure`);
//! - [`Trust::Roots`] with `check_host`: rustls' own WebPKI verifier (chain and host name);
//! - [`Trust::Roots`] without `check_host`: the chain only (libpq's `verify-ca`).

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;

/// What a client trusts.
#[derive(Clone, Debug)]
pub enum Trust {
    /// Any certificate: the connection is encrypted, the server not authenticated.
    AnyCertificate,
    /// Certificates that chain to `roots`; the host name too when `check_host`.
    Roots { roots: Arc<RootCertStore>, check_host: bool },
}

/// The ring provider every perfhound TLS client uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration (no ALPN, no client certificate) trusting what `trust` says.
pub fn client_config(trust: &Trust) -> ClientConfig {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions");
    match trust {
        Trust::Roots { roots, check_host: true } => builder.with_root_certificates(roots.clone()).with_no_client_auth(),
        Trust::Roots { roots, check_host: false } => {
            let verifier = Verifier { provider, roots: Some(roots.clone()) };
            builder.dangerous().with_custom_certificate_verifier(Arc::new(verifier)).with_no_client_auth()
        }
        Trust::AnyCertificate => {
            let verifier = Verifier { provider, roots: None };
            builder.dangerous().with_custom_certificate_verifier(Arc::new(verifier)).with_no_client_auth()
        }
    }
}

/// The public web PKI roots (Mozilla's, compiled in).
pub fn web_pki_roots() -> Arc<RootCertStore> {
    Arc::new(RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() })
}

/// The CA certificates of a PEM file. `option` names the setting the path came from
/// (`cacert`, `sslrootcert`) in the messages.
pub fn pem_roots(path: &str, option: &str) -> Result<Arc<RootCertStore>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {option} {path}: {e}"))?;
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("{option} {path} is not a PEM certificate file: {e}"))?;
        store.add(cert).map_err(|e| format!("{option} {path}: invalid CA certificate: {e}"))?;
    }
    if store.is_empty() {
        return Err(format!("{option} {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
    }
    Ok(Arc::new(store))
}

/// The certificate check of [`Trust::AnyCertificate`] (`roots: None`) and of a chain
/// without its host name; handshake signatures are verified either way.
#[derive(Debug)]
struct Verifier {
    provider: Arc<CryptoProvider>,
    roots: Option<Arc<RootCertStore>>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = ParsedCertificate::try_from(end_entity)?;
            let algs = self.provider.signature_verification_algorithms.all;
            rustls::client::verify_server_cert_signed_by_trust_anchor(&cert, roots, intermediates, now, algs)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_roots_are_read_or_explained() {
        let dir = std::env::temp_dir().join(format!("perfhound-net-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = rcgen::generate_simple_self_signed(vec!["ca.test".to_string()]).unwrap();
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca.cert.pem()).unwrap();
        let not_pem = dir.join("not.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        assert_eq!(pem_roots(&ca_file.display().to_string(), "cacert").unwrap().len(), 1);
        let err = pem_roots(&not_pem.display().to_string(), "cacert").unwrap_err();
        assert!(err.starts_with("cacert ") && err.contains("holds no PEM certificate"), "{err}");
        let err = pem_roots("/nonexistent/ca.pem", "sslrootcert").unwrap_err();
        assert!(err.starts_with("cannot read sslrootcert /nonexistent/ca.pem"), "{err}");
        assert!(web_pki_roots().len() > 50);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
