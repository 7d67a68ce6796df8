//! Test certificates made with rcgen: a CA, a server certificate it signs for `localhost`
//! and `127.0.0.1`, and an unrelated CA (a wrong `sslrootcert`), for the main
//! server's TLS.

use std::path::{Path, PathBuf};

/// The files the server and the tests use.
#[derive(Clone, Debug)]
pub struct Certs {
    pub ca: PathBuf,
    pub wrong_ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

fn ca_params(name: &str) -> rcgen::CertificateParams {
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    p.distinguished_name.push(rcgen::DnType::CommonName, name);
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    p
}

/// Writes the certificates into `dir`; the server key belongs to `owner` with mode 0600
/// (PostgreSQL refuses a key others can read).
pub fn write(dir: &Path, owner: Option<(u32, u32)>) -> Certs {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params("perfhound test CA"), ca_key).expect("CA cert");
    let wrong_key = rcgen::KeyPair::generate().expect("wrong CA key");
    let wrong = ca_params("some other CA").self_signed(&wrong_key).expect("wrong CA cert");
    let server_key = rcgen::KeyPair::generate().expect("server key");
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("server params");
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let server = params.signed_by(&server_key, &ca).expect("server cert");
    let certs = Certs {
        ca: dir.join("ca.crt"),
        wrong_ca: dir.join("wrong-ca.crt"),
        server_cert: dir.join("server.crt"),
        server_key: dir.join("server.key"),
    };
    std::fs::write(&certs.ca, ca.pem()).expect("write CA");
    std::fs::write(&certs.wrong_ca, wrong.pem()).expect("write wrong CA");
    std::fs::write(&certs.server_cert, server.pem()).expect("write server cert");
    std::fs::write(&certs.server_key, server_key.serialize_pem()).expect("write server key");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&certs.server_key, std::fs::Permissions::from_mode(0o600)).expect("chmod key");
    if let Some((uid, gid)) = owner {
        for f in [&certs.server_cert, &certs.server_key] {
            std::os::unix::fs::chown(f, Some(uid), Some(gid)).expect("chown certificate");
        }
    }
    certs
}
