//! A loopback port that refuses connections for as long as it is held, with no race.
//!
//! Binding `127.0.0.1:0`, reading the port and dropping the listener leaves a window in
//! which anything else on the machine (another test, another engineer's build) can take
//! the port, and the "refused" test then talks to it. [`RefusedPort`] instead keeps a
//! socket bound to the port without listening on it: the kernel answers every connection
//! attempt with a reset ("connection refused"), and because the socket is bound without
//! `SO_REUSEADDR`, no other socket can bind or listen on the port until it is dropped.

use std::net::{Ipv4Addr, SocketAddr};

/// A bound, never-listening socket on a free loopback port.
#[derive(Debug)]
pub struct RefusedPort {
    // Held for its binding only.
    _socket: tokio::net::TcpSocket,
    addr: SocketAddr,
}

impl RefusedPort {
    /// Binds a free loopback port that refuses every connection while this value lives.
    pub fn bind() -> std::io::Result<RefusedPort> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_reuseaddr(false)?;
        socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        let addr = socket.local_addr()?;
        Ok(RefusedPort { _socket: socket, addr })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind;

    #[test]
    fn refuses_connections_and_keeps_the_port() {
        let refused = RefusedPort::bind().unwrap();
        let err = std::net::TcpStream::connect(refused.addr()).expect_err("nothing listens");
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
        // std's listener asks for SO_REUSEADDR; the port is still not available to it.
        let err = std::net::TcpListener::bind(refused.addr()).expect_err("the port is held");
        assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
        assert_eq!(refused.url("/x"), format!("http://127.0.0.1:{}/x", refused.port()));
    }
}
