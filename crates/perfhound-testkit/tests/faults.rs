//! Latency and fault injection: delay accuracy, fixed delay, stall windows, `/close`, `/reset`, `reset_every`.

mod common;

use std::io::{ErrorKind, Read};
use std::time::Duration;

use common::{arrival, collect, connect, exchange, get, get_request, h1_over, h2_over, server_time, tcp, try_request};
use perfhound_testkit::{ServerConfig, Stall, TestServer};

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

#[tokio::test]
async fn delay_is_accurate_to_the_millisecond() {
    let server = TestServer::start(ServerConfig::default());
    let authority = server.addr().to_string();
    let mut sender = h1_over(tcp(server.addr()).await).await;
    let mut times = Vec::new();
    for _ in 0..10 {
        let started = std::time::Instant::now();
        let (parts, body) = collect(sender.send_request(get_request(&authority, "/delay/20")).await.unwrap()).await;
        assert_eq!((parts.status.as_u16(), &body[..]), (200, &b"ok"[..]));
        assert!(started.elapsed() >= ms(20), "client saw the response after {:?}", started.elapsed());
        times.push(server_time(&parts.headers));
    }
    assert!(times.iter().all(|t| *t >= ms(20)), "never early: {times:?}");
    let within = times.iter().filter(|t| **t < ms(21)).count();
    assert!(within >= 8, "20 ms delays should be served in 20-21 ms, got {times:?}");
}

#[tokio::test]
async fn fixed_delay_is_added_to_every_response() {
    let server = TestServer::start(ServerConfig { fixed_delay: Some(ms(30)), ..ServerConfig::default() });
    let authority = server.addr().to_string();
    let mut sender = h1_over(tcp(server.addr()).await).await;
    let (root, _) = collect(sender.send_request(get_request(&authority, "/")).await.unwrap()).await;
    let root_time = server_time(&root.headers);
    assert!(root_time >= ms(30) && root_time < ms(40), "root took {root_time:?}");
    let (delayed, _) = collect(sender.send_request(get_request(&authority, "/delay/20")).await.unwrap()).await;
    let delayed_time = server_time(&delayed.headers);
    assert!(delayed_time >= ms(50) && delayed_time < ms(60), "delay/20 took {delayed_time:?}");
}

/// Requests run back to back over one connection with different delays, so their ready times fall both inside
/// and outside the 100 ms windows of a 200 ms period. For each one the server reports its arrival and total
/// time; a response whose ready time is well inside a window must be held until that window ends, and a
/// response ready outside every window must not be held.
#[tokio::test]
async fn stall_holds_responses_until_the_window_ends() {
    let stall = Stall { period: ms(200), length: ms(100), offset: ms(0) };
    let server = TestServer::start(ServerConfig { stall: Some(stall), ..ServerConfig::default() });
    let authority = server.addr().to_string();
    let mut sender = h2_over(tcp(server.addr()).await).await;
    let (mut held, mut free) = (0, 0);
    for (i, delay) in [30u64, 0, 45, 0, 30, 30, 0, 45, 30, 0, 30, 45, 30, 0].into_iter().enumerate() {
        let path = format!("/delay/{delay}");
        let (parts, _) = collect(sender.send_request(get_request(&authority, &path)).await.unwrap()).await;
        let (arrived, took) = (arrival(&parts.headers), server_time(&parts.headers));
        let (ready, done) = (arrived + ms(delay), arrived + took);
        assert!(!stall.is_stalled(done), "request {i} answered inside a window at {done:?}");
        match stall.window_end(ready) {
            Some(end) if end >= ready + ms(2) => {
                held += 1;
                assert!(
                    done >= end && done < end + ms(10),
                    "request {i}: ready {ready:?}, window end {end:?}, done {done:?}"
                );
            }
            Some(_) => {}
            None if !stall.is_stalled(ready + ms(2)) => {
                free += 1;
                assert!(done < ready + ms(15), "request {i}: ready {ready:?} outside windows but done {done:?}");
            }
            None => {}
        }
    }
    assert!(held >= 2 && free >= 2, "held {held}, free {free}");
    assert!(server.stats().stalled_responses >= held);
}

#[test]
fn close_route_closes_the_connection_after_the_response() {
    let server = TestServer::start(ServerConfig::default());
    let mut stream = connect(server.addr());
    let first = exchange(&mut stream, "GET / HTTP/1.1\r\nHost: t\r\n\r\n").expect("keep-alive request");
    assert_eq!(first.text(), "hello");
    let closing = exchange(&mut stream, "GET /close HTTP/1.1\r\nHost: t\r\n\r\n").expect("close request");
    assert_eq!((closing.status, closing.header("connection")), (200, Some("close")));
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).expect("clean EOF"), 0, "server closed the connection");
    let stats = server.stats();
    assert_eq!((stats.connections_accepted, stats.connections_closed_by_server), (1, 1));
    assert_eq!(stats.connections_reset, 0);
}

#[test]
fn reset_route_aborts_the_connection_without_a_response() {
    let server = TestServer::start(ServerConfig::default());
    let mut stream = connect(server.addr());
    let raw = "GET /reset HTTP/1.1\r\nHost: t\r\n\r\n";
    let mut received = Vec::new();
    let outcome =
        std::io::Write::write_all(&mut stream, raw.as_bytes()).and_then(|()| stream.read_to_end(&mut received));
    match outcome {
        Err(err) => assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}"),
        Ok(n) => assert_eq!(n, 0, "EOF without a response"),
    }
    assert!(received.is_empty(), "no response bytes: {:?}", String::from_utf8_lossy(&received));
    let stats = server.stats();
    assert_eq!((stats.connections_reset, stats.path("/reset")), (1, 1));
    assert_eq!(get(server.addr(), "/").text(), "hello", "the server keeps serving");
}

#[test]
fn reset_every_resets_exactly_every_nth_request() {
    let server = TestServer::start(ServerConfig { reset_every: Some(4), ..ServerConfig::default() });
    // Sequential requests on fresh connections: request k is the server's k-th request.
    let failed: Vec<usize> =
        (1..=20).filter(|_| try_request(server.addr(), "GET", "/json", &[], "").is_err()).collect();
    assert_eq!(failed, vec![4, 8, 12, 16, 20], "25% of requests are reset");
    let stats = server.stats();
    assert_eq!((stats.requests_total, stats.connections_reset, stats.connections_accepted), (20, 5, 20));
    assert_eq!(stats.path("/json"), 20);
}

#[tokio::test]
async fn reset_over_h2_aborts_every_stream_of_the_connection() {
    let server = TestServer::start(ServerConfig::default());
    let authority = server.addr().to_string();
    let mut sender = h2_over(tcp(server.addr()).await).await;
    let (ok, _) = collect(sender.send_request(get_request(&authority, "/")).await.unwrap()).await;
    assert_eq!(ok.status, 200);
    let slow = sender.send_request(get_request(&authority, "/delay/5000"));
    let reset = sender.send_request(get_request(&authority, "/reset"));
    let (slow, reset) = tokio::join!(slow, reset);
    assert!(reset.is_err(), "the /reset stream fails");
    assert!(slow.is_err(), "other streams on the connection fail too");
    assert_eq!(server.stats().connections_reset, 1);
    assert!(server.stats().http2_requests >= 2, "the first request and /reset arrived over h2");
}
