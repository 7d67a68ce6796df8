//! rustls (ring provider, from `perfhound-net`) for `rediss://`: the server's chain is
//! verified against `cacert=FILE` or the public web PKI roots, host name included;
//! `insecure=true` encrypts without verifying (handshake signatures are still checked).

use perfhound_net::Trust;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use std::sync::Arc;

/// The client configuration `cacert`/`insecure` ask for.
pub fn client_config(cacert: Option<&str>, insecure: bool) -> Result<Arc<ClientConfig>, String> {
    let trust = if insecure {
        Trust::AnyCertificate
    } else {
        let roots = match cacert {
            Some(path) => perfhound_net::pem_roots(path, "cacert")?,
            None => perfhound_net::web_pki_roots(),
        };
        Trust::Roots { roots, check_host: true }
    };
    Ok(Arc::new(perfhound_net::client_config(&trust)))
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
