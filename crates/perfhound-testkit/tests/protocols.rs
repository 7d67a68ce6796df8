//! Protocols and counters: HTTP/1.1 keep-alive, h2c prior knowledge, TLS with ALPN, protocol switches, stats.

mod common;

use std::io::Read;

use common::{
    collect, connect, exchange, get, get_request, h1_over, h2_over, insecure_tls, tcp, tls_connect, trusting_tls,
};
use http::Version;
use perfhound_testkit::{tls_config, ServerConfig, TestServer};

#[tokio::test]
async fn http1_keep_alive_reuses_one_connection() {
    let server = TestServer::start(ServerConfig::default());
    let authority = server.addr().to_string();
    let mut sender = h1_over(tcp(server.addr()).await).await;
    for path in ["/", "/json", "/"] {
        let (parts, _) = collect(sender.send_request(get_request(&authority, path)).await.unwrap()).await;
        assert_eq!((parts.status.as_u16(), parts.version), (200, Version::HTTP_11));
    }
    let stats = server.stats();
    assert_eq!((stats.requests_total, stats.connections_accepted, stats.http2_requests), (3, 1, 0));
    assert_eq!((stats.path("/"), stats.path("/json")), (2, 1));
    assert_eq!((stats.max_in_flight, stats.in_flight), (1, 0));
}

#[tokio::test]
async fn h2c_prior_knowledge_multiplexes_requests() {
    let server = TestServer::start(ServerConfig::default());
    let authority = server.addr().to_string();
    let sender = h2_over(tcp(server.addr()).await).await;
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let mut sender = sender.clone();
            let request = get_request(&authority, "/delay/400");
            tokio::spawn(async move { collect(sender.send_request(request).await.unwrap()).await })
        })
        .collect();
    let mut responses = Vec::new();
    for task in tasks {
        responses.push(task.await.expect("request task"));
    }
    for (parts, body) in &responses {
        assert_eq!((parts.status.as_u16(), parts.version, &body[..]), (200, Version::HTTP_2, &b"ok"[..]));
    }
    let (echo, body) = collect(sender.clone().send_request(get_request(&authority, "/echo")).await.unwrap()).await;
    assert_eq!(echo.version, Version::HTTP_2);
    let echo: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(echo["version"], "HTTP/2.0");
    let stats = server.stats();
    assert_eq!((stats.http2_requests, stats.requests_total, stats.connections_accepted), (5, 5, 1));
    assert_eq!(stats.path("/delay/400"), 4);
    assert_eq!(stats.max_in_flight, 4, "all four delayed requests were in flight together");
}

#[tokio::test]
async fn h2_only_server_refuses_http1() {
    let server = TestServer::start(ServerConfig { h2_only: true, ..ServerConfig::default() });
    let mut stream = connect(server.addr());
    let outcome = exchange(&mut stream, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert!(outcome.is_err(), "no HTTP/1.1 response from an h2-only server: {outcome:?}");
    let authority = server.addr().to_string();
    let mut sender = h2_over(tcp(server.addr()).await).await;
    let (parts, _) = collect(sender.send_request(get_request(&authority, "/")).await.unwrap()).await;
    assert_eq!((parts.status.as_u16(), parts.version), (200, Version::HTTP_2));
}

#[tokio::test]
async fn http1_only_server_refuses_h2c() {
    let server = TestServer::start(ServerConfig { http1_only: true, ..ServerConfig::default() });
    let authority = server.addr().to_string();
    let mut sender = h2_over(tcp(server.addr()).await).await;
    assert!(sender.send_request(get_request(&authority, "/")).await.is_err(), "h2c is refused");
    assert_eq!(get(server.addr(), "/").text(), "hello");
    assert_eq!(server.stats().http2_requests, 0);
}

#[tokio::test]
async fn tls_negotiates_h2_with_alpn() {
    let server = TestServer::start(tls_config());
    assert!(server.is_tls());
    assert_eq!(server.base_url(), format!("https://localhost:{}", server.port()));
    let stream = tls_connect(server.addr(), insecure_tls(&[b"h2", b"http/1.1"]), "localhost").await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let mut sender = h2_over(stream).await;
    let (parts, body) = collect(sender.send_request(get_request("localhost", "/")).await.unwrap()).await;
    assert_eq!((parts.status.as_u16(), parts.version, &body[..]), (200, Version::HTTP_2, &b"hello"[..]));
    let stats = server.stats();
    assert_eq!((stats.http2_requests, stats.connections_accepted, stats.tls_handshake_failures), (1, 1, 0));
}

#[tokio::test]
async fn tls_serves_http1_when_alpn_says_so() {
    let server = TestServer::start(tls_config());
    let stream = tls_connect(server.addr(), insecure_tls(&[b"http/1.1"]), "localhost").await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let mut sender = h1_over(stream).await;
    let (parts, body) = collect(sender.send_request(get_request("localhost", "/json")).await.unwrap()).await;
    assert_eq!((parts.status.as_u16(), parts.version), (200, Version::HTTP_11));
    assert_eq!(&body[..], perfhound_testkit::JSON_DOCUMENT.as_bytes());
    assert_eq!(server.stats().http2_requests, 0);
}

#[tokio::test]
async fn tls_certificate_is_valid_for_localhost_and_loopback_ip() {
    let server = TestServer::start(tls_config());
    let cert = server.cert_der().expect("TLS server has a certificate");
    assert!(server.cert_pem().expect("PEM").starts_with("-----BEGIN CERTIFICATE-----"));
    for name in ["localhost", "127.0.0.1"] {
        let stream = tls_connect(server.addr(), trusting_tls(cert.clone(), &[b"h2"]), name).await;
        assert!(stream.is_ok(), "verified handshake as {name}: {:?}", stream.err());
    }
    let wrong_name = tls_connect(server.addr(), trusting_tls(cert, &[b"h2"]), "example.com").await;
    assert!(wrong_name.is_err(), "the certificate does not name example.com");
    let plain = TestServer::start(ServerConfig::default());
    assert!(plain.cert_der().is_none() && plain.cert_pem().is_none());
}

#[tokio::test]
async fn tls_reset_aborts_the_connection() {
    let server = TestServer::start(tls_config());
    let stream = tls_connect(server.addr(), insecure_tls(&[b"http/1.1"]), "localhost").await.unwrap();
    let mut sender = h1_over(stream).await;
    assert!(sender.send_request(get_request("localhost", "/reset")).await.is_err());
    assert_eq!(server.stats().connections_reset, 1);
}

#[test]
fn invalid_switch_combination_is_rejected() {
    let config = ServerConfig { http1_only: true, h2_only: true, ..ServerConfig::default() };
    let err = TestServer::try_start(config).expect_err("both switches at once");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn dropping_the_server_stops_it() {
    let server = TestServer::start(ServerConfig::default());
    let addr = server.addr();
    let mut stream = connect(addr);
    drop(server);
    let mut buf = Vec::new();
    // The idle keep-alive connection is closed by the shutdown, and the port no longer accepts connections.
    assert!(matches!(stream.read_to_end(&mut buf), Ok(0) | Err(_)));
    assert!(std::net::TcpStream::connect(addr).is_err(), "nothing listens on {addr} any more");
}
