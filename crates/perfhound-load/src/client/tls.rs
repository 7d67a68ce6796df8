//! rustls client configuration (from `perfhound-net`): webpki roots, ALPN, and `--insecure`.

use perfhound_net::Trust;
use std::sync::Arc;

/// A TLS client config offering `h2` (when `http2`) and `http/1.1` via ALPN.
pub fn client_config(http2: bool, insecure: bool) -> Arc<rustls::ClientConfig> {
    let trust = if insecure {
        Trust::AnyCertificate
    } else {
        Trust::Roots { roots: perfhound_net::web_pki_roots(), check_host: true }
    };
    let mut config = perfhound_net::client_config(&trust);
    config.alpn_protocols = if http2 { vec![b"h2".to_vec(), b"http/1.1".to_vec()] } else { vec![b"http/1.1".to_vec()] };
    Arc::new(config)
}
