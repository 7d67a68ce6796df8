//! Per-connection plumbing: the RST-on-drop socket wrapper, TLS setup and serving one connection with hyper.
//!
//! Resets work without peeking at raw bytes: the accepted `TcpStream` is wrapped in [`ResetOnDrop`], which sits
//! under TLS and hyper. A handler that decides to reset sets the connection's [`ResetSignal`]; the connection
//! task then drops the whole hyper connection, and the wrapper's `Drop` sets `SO_LINGER` to zero just before
//! the socket closes, so the kernel sends RST instead of FIN and the client never gets a response. Over HTTP/2
//! this aborts every stream of that connection.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{watch, Notify};
use tokio_rustls::TlsAcceptor;

use crate::config::ServerConfig;
use crate::routes;
use crate::server::Shared;

/// Shared between a connection task and the handlers of its requests.
#[derive(Debug)]
pub(crate) struct ResetSignal {
    requested: AtomicBool,
    notify: Notify,
    closed: watch::Sender<bool>,
}

impl ResetSignal {
    fn new() -> Self {
        Self { requested: AtomicBool::new(false), notify: Notify::new(), closed: watch::Sender::new(false) }
    }

    /// Asks the connection task to abort the connection with RST, then waits until the connection is gone.
    /// Over HTTP/1 this future is dropped together with the connection; over HTTP/2 it runs in its own task
    /// and completes when the connection task is done (its response is never delivered).
    pub(crate) async fn reset(&self, shared: &Shared) {
        let mut closed = self.closed.subscribe();
        if !self.requested.swap(true, Ordering::SeqCst) {
            shared.stats.record_reset();
        }
        self.notify.notify_one();
        // An error only means the sender is gone, i.e. the connection is gone as well.
        let _ = closed.wait_for(|closed| *closed).await;
    }
}

/// A `TcpStream` that is closed with RST (zero linger) when its connection asked for a reset.
pub(crate) struct ResetOnDrop {
    inner: TcpStream,
    signal: Arc<ResetSignal>,
}

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        if self.signal.requested.load(Ordering::SeqCst) {
            // Best effort: if this fails the client sees a FIN (EOF) without a response instead.
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResetOnDrop {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResetOnDrop {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The self-signed certificate of a TLS server and the acceptor that uses it.
pub(crate) struct TlsMaterial {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) cert_der: CertificateDer<'static>,
    pub(crate) cert_pem: String,
}

/// Generates a certificate for `localhost` and `127.0.0.1` and a rustls (ring) server config with ALPN.
pub(crate) fn tls_material(config: &ServerConfig) -> io::Result<TlsMaterial> {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .map_err(io::Error::other)?;
    let cert_der = certified.cert.der().clone();
    let cert_pem = certified.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key)
        .map_err(io::Error::other)?;
    server_config.alpn_protocols = if config.http1_only {
        vec![b"http/1.1".to_vec()]
    } else if config.h2_only {
        vec![b"h2".to_vec()]
    } else {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    };
    Ok(TlsMaterial { acceptor: TlsAcceptor::from(Arc::new(server_config)), cert_der, cert_pem })
}

/// Serves one accepted connection (TLS handshake first when `tls` is set) until it ends or is reset.
pub(crate) async fn handle_connection(shared: Arc<Shared>, stream: TcpStream, tls: Option<TlsAcceptor>) {
    let _ = stream.set_nodelay(true);
    let signal = Arc::new(ResetSignal::new());
    let io = ResetOnDrop { inner: stream, signal: Arc::clone(&signal) };
    match tls {
        None => serve(shared, io, signal).await,
        Some(acceptor) => match acceptor.accept(io).await {
            Ok(tls_stream) => serve(shared, tls_stream, signal).await,
            Err(_) => shared.stats.record_tls_failure(),
        },
    }
}

async fn serve<I>(shared: Arc<Shared>, io: I, signal: Arc<ResetSignal>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = {
        let shared = Arc::clone(&shared);
        let signal = Arc::clone(&signal);
        service_fn(move |request| routes::handle(Arc::clone(&shared), Arc::clone(&signal), request))
    };
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    if shared.config.http1_only {
        builder = builder.http1_only();
    } else if shared.config.h2_only {
        builder = builder.http2_only();
    }
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::select! {
        // Errors (client went away, protocol errors) just end the connection.
        _ = connection => {}
        // Dropping the connection drops the `ResetOnDrop` socket, which closes it with RST.
        () = signal.notify.notified() => {}
    }
    signal.closed.send_replace(true);
}
