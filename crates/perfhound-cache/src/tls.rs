//! rustls (ring provider) for `rediss://`: the server's chain is verified against
//! `cacert=FILE` or the public web PKI roots, host name included; `insecure=true`
//! encrypts without verifying (handshake signatures are still checked).

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;

/// The client configuration `cacert`/`insecure` ask for.
pub fn client_config(cacert: Option<&str>, insecure: bool) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    let config = if insecure {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(NoVerify(provider))).with_no_client_auth()
    } else {
        builder.with_root_certificates(roots(cacert)?).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

fn roots(cacert: Option<&str>) -> Result<RootCertStore, String> {
    let Some(path) = cacert else { return Ok(RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() }) };
    let pem = std::fs::read(path).map_err(|e| format!("cannot read cacert {path}: {e}"))?;
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("cacert {path} is not a PEM certificate file: {e}"))?;
        store.add(cert).map_err(|e| format!("cacert {path}: invalid CA certificate: {e}"))?;
    }
    if store.is_empty() {
        return Err(format!("cacert {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
    }
    Ok(store)
}

/// The server name for SNI and verification (an IP address or a DNS name).
pub fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.to_string()).map_err(|e| format!("`{host}` is not a valid TLS server name: {e}"))
}

/// A failed handshake's hint.
pub fn hint(reason: &str) -> String {
    if reason.contains("UnknownIssuer") {
        "pass the CA that signed the server's certificate: rediss://host:port?cacert=/path/ca.pem".into()
    } else if reason.contains("NotValidForName") {
        "connect with a host name the certificate names (its subjectAltName)".into()
    } else {
        "check that the port speaks TLS (tls-port in redis.conf) and the CA (?cacert=FILE)".into()
    }
}

#[derive(Debug)]
struct NoVerify(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
