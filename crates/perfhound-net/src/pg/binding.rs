//! `tls-server-end-point` channel binding (RFC 5929): the hash of the server's certificate
//! with the hash function of its signature algorithm (SHA-256 for MD5/SHA-1 ones), which
//! SCRAM-SHA-256-PLUS mixes into the authentication so that a man in the middle with
//! another certificate cannot relay it. Unknown algorithms (Ed25519, RSA-PSS) give no
//! binding, and tokio-postgres then uses plain SCRAM-SHA-256 (`channel_binding=prefer`).

use ring::digest;

/// Signature algorithm OIDs (DER content bytes) and the digest to use for them.
const ALGORITHMS: &[(&[u8], &digest::Algorithm)] = &[
    (&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04], &digest::SHA256), // md5WithRSA
    (&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05], &digest::SHA256), // sha1WithRSA
    (&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b], &digest::SHA256), // sha256WithRSA
    (&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c], &digest::SHA384), // sha384WithRSA
    (&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d], &digest::SHA512), // sha512WithRSA
    (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01], &digest::SHA256),             // ecdsa-with-SHA1
    (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02], &digest::SHA256),       // ecdsa-with-SHA256
    (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03], &digest::SHA384),       // ecdsa-with-SHA384
    (&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04], &digest::SHA512),       // ecdsa-with-SHA512
];

/// The binding data for a DER certificate, when its signature algorithm defines one.
pub fn tls_server_end_point(cert_der: &[u8]) -> Option<Vec<u8>> {
    let oid = signature_algorithm(cert_der)?;
    let (_, alg) = ALGORITHMS.iter().find(|(o, _)| *o == oid)?;
    Some(digest::digest(alg, cert_der).as_ref().to_vec())
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE { OID, … }, … }`.
fn signature_algorithm(der: &[u8]) -> Option<&[u8]> {
    let (tag, cert, _) = tlv(der)?;
    let (_, _tbs, rest) = tlv(cert).filter(|t| tag == 0x30 && t.0 == 0x30)?;
    let (tag, alg, _) = tlv(rest)?;
    let (oid_tag, oid, _) = tlv(alg).filter(|_| tag == 0x30)?;
    (oid_tag == 0x06).then_some(oid)
}

/// One DER tag-length-value: tag, content, what follows.
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let len = b.get(2..2 + n)?.iter().fold(0usize, |l, byte| (l << 8) | usize::from(*byte));
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some((tag, b.get(header..end)?, &b[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_the_certificate_signature_digest() {
        let ecdsa = rcgen::generate_simple_self_signed(vec!["db.test".to_string()]).unwrap();
        let der = ecdsa.cert.der().to_vec();
        assert_eq!(tls_server_end_point(&der), Some(digest::digest(&digest::SHA256, &der).as_ref().to_vec()));
        let p384 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["db.test".to_string()]).unwrap().self_signed(&p384).unwrap();
        let binding = tls_server_end_point(cert.der()).unwrap();
        assert_eq!(binding.len(), 48, "SHA-384 for ecdsa-with-SHA384");
        let ed = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["db.test".to_string()]).unwrap().self_signed(&ed).unwrap();
        assert_eq!(tls_server_end_point(cert.der()), None, "Ed25519 defines no binding");
        assert_eq!(tls_server_end_point(&der[..40]), None, "truncated DER");
        assert_eq!(tls_server_end_point(&[]), None);
    }
}
