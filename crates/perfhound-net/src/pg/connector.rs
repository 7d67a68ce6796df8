//! TLS for tokio-postgres with the workspace's rustls (ring provider, no OpenSSL, no
//! aws-lc): a [`MakeTlsConnect`] whose certificate check follows libpq's `sslmode`:
//! `require` encrypts without verifying (unless a root certificate is given, then it is
//! `verify-ca`, as in libpq), `verify-ca` checks the chain against `sslrootcert`,
//! `verify-full` also checks the host name. Handshake signatures are always verified.
//! The stream offers `tls-server-end-point` channel binding for SCRAM-SHA-256-PLUS
//! ([`super::binding`]).

use super::binding;
use super::conninfo::{SslMode, TlsSettings};
use crate::tls::Trust;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

/// What to verify, and against which roots.
#[derive(Debug, Clone)]
pub struct Verification {
    /// `None`: encrypt only.
    pub roots: Option<Arc<RootCertStore>>,
    pub check_host: bool,
    /// Where the roots came from, for messages.
    pub roots_from: Option<String>,
}

/// The verification `settings` ask for, loading the root certificates it names.
pub fn verification(settings: &TlsSettings) -> Result<Verification, String> {
    let explicit = settings.root_cert.clone();
    let default = default_root_cert().filter(|p| std::path::Path::new(p).exists());
    let verify = matches!(settings.mode, SslMode::VerifyCa | SslMode::VerifyFull);
    // libpq: with a root certificate file, `require` verifies the chain like verify-ca.
    let source = match settings.mode {
        SslMode::Require => explicit.or(default),
        _ if verify => Some(explicit.or(default).ok_or_else(|| missing_root(settings.mode))?),
        _ => None,
    };
    let roots = source.as_deref().map(load_roots).transpose()?;
    Ok(Verification { roots, check_host: settings.mode == SslMode::VerifyFull, roots_from: source })
}

fn default_root_cert() -> Option<String> {
    let home = std::env::var_os("HOME")?;
    Some(std::path::Path::new(&home).join(".postgresql/root.crt").display().to_string())
}

fn missing_root(mode: SslMode) -> String {
    let mode = if mode == SslMode::VerifyCa { "verify-ca" } else { "verify-full" };
    format!(
        "sslmode={mode} needs the CA certificate to verify the server with: add sslrootcert=/path/to/ca.pem \
         (or sslrootcert=system for the public web PKI roots), or put it in ~/.postgresql/root.crt"
    )
}

/// The trusted roots of a PEM file, or the public web PKI roots for `system`.
fn load_roots(source: &str) -> Result<Arc<RootCertStore>, String> {
    if source == "system" {
        return Ok(crate::tls::web_pki_roots());
    }
    crate::tls::pem_roots(source, "sslrootcert")
}

/// A rustls client configuration verifying as `v` says.
pub fn client_config(v: &Verification) -> Arc<ClientConfig> {
    let trust = match &v.roots {
        None => Trust::AnyCertificate,
        Some(roots) => Trust::Roots { roots: roots.clone(), check_host: v.check_host },
    };
    Arc::new(crate::tls::client_config(&trust))
}

/// tokio-postgres' TLS hook over tokio-rustls.
#[derive(Clone)]
pub struct MakeRustls(pub Arc<ClientConfig>);

impl<S> MakeTlsConnect<S> for MakeRustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = std::convert::Infallible;

    /// `host` is empty for Unix sockets (never encrypted); a name that is neither a DNS
    /// name nor an IP address fails the handshake, not the connection attempt.
    fn make_tls_connect(&mut self, host: &str) -> Result<RustlsConnect, Self::Error> {
        let name = ServerName::try_from(host.to_string()).ok();
        Ok(RustlsConnect { config: self.0.clone(), name, host: host.to_string() })
    }
}

pub struct RustlsConnect {
    config: Arc<ClientConfig>,
    name: Option<ServerName<'static>>,
    host: String,
}

impl<S> TlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        let connector = tokio_rustls::TlsConnector::from(self.config);
        Box::pin(async move {
            let invalid =
                || io::Error::new(io::ErrorKind::InvalidInput, format!("invalid TLS server name {:?}", self.host));
            let name = self.name.ok_or_else(invalid)?;
            connector.connect(name, stream).await.map(RustlsStream)
        })
    }
}

pub struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        let (_, conn) = self.0.get_ref();
        let hash = conn.peer_certificates().and_then(|c| c.first()).and_then(|c| binding::tls_server_end_point(c));
        hash.map_or_else(ChannelBinding::none, ChannelBinding::tls_server_end_point)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(mode: SslMode, root_cert: Option<&str>) -> TlsSettings {
        TlsSettings { mode, root_cert: root_cert.map(str::to_string) }
    }

    #[test]
    fn modes_map_to_libpq_verification() {
        let dir = std::env::temp_dir().join(format!("perfhound-pg-tls-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = rcgen::generate_simple_self_signed(vec!["ca.test".to_string()]).unwrap();
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca.cert.pem()).unwrap();
        let ca_path = ca_file.display().to_string();
        let not_pem = dir.join("not.pem");
        std::fs::write(&not_pem, "hello").unwrap();

        let full = verification(&settings(SslMode::VerifyFull, Some(&ca_path))).unwrap();
        assert!(full.roots.is_some() && full.check_host);
        let ca_only = verification(&settings(SslMode::VerifyCa, Some(&ca_path))).unwrap();
        assert!(ca_only.roots.is_some() && !ca_only.check_host);
        let require_with_root = verification(&settings(SslMode::Require, Some(&ca_path))).unwrap();
        assert!(
            require_with_root.roots.is_some() && !require_with_root.check_host,
            "libpq: require + root = verify-ca"
        );
        let system = verification(&settings(SslMode::VerifyFull, Some("system"))).unwrap();
        assert!(system.roots.is_some_and(|r| r.len() > 50));
        let err = verification(&settings(SslMode::VerifyFull, Some(&not_pem.display().to_string()))).unwrap_err();
        assert!(err.contains("holds no PEM certificate"), "{err}");
        let err = verification(&settings(SslMode::VerifyCa, Some("/nonexistent/ca.pem"))).unwrap_err();
        assert!(err.starts_with("cannot read sslrootcert /nonexistent/ca.pem"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
