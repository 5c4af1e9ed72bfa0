//! Random identifiers: tokens, codes, tracking ids.
//!
//! Tokens are long and random on purpose: tests search every output and file for them, so two
//! tokens must never share a recognisable substring and none may look like ordinary text.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    bytes
}

/// `len` random characters from `[A-Za-z0-9]`.
pub fn random_alphanumeric(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in random_bytes::<64>() {
            // 248 is the largest multiple of 62 below 256: rejecting the rest keeps it unbiased.
            if byte < 248 && out.len() < len {
                out.push(char::from(
                    ALPHANUMERIC[usize::from(byte) % ALPHANUMERIC.len()],
                ));
            }
        }
    }
    out
}

fn random_hex(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in random_bytes::<16>() {
            out.push_str(&format!("{byte:02x}"));
        }
    }
    out.truncate(len);
    out
}

/// A UUID-shaped random string (the fake does not need real UUID versions).
pub fn uuid_like() -> String {
    let hex = random_hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Webex tokens look like `<64 chars>_PF84_<org uuid>`; the fake keeps that shape so clients that
/// show a shortened token or parse nothing out of it behave as they would against Webex.
pub fn token(org_id_uuid: &str) -> String {
    format!("{}_PF84_{org_id_uuid}", random_alphanumeric(64))
}

/// Authorization code, device code and similar one-time secrets.
pub fn one_time_code() -> String {
    random_alphanumeric(48)
}

/// A `TrackingID` as Webex sends it.
pub fn tracking_id() -> String {
    format!("ROUTER_{}", uuid_like().to_uppercase())
}

/// A user code a person could type: `ABCD-EFGH`, without easily confused letters.
pub fn user_code() -> String {
    const LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let letters: String = random_bytes::<8>()
        .iter()
        .map(|byte| char::from(LETTERS[usize::from(*byte) % LETTERS.len()]))
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// Webex ids are base64 of `ciscospark://us/<KIND>/<id>`.
pub fn webex_id(kind: &str, id: &str) -> String {
    STANDARD.encode(format!("ciscospark://us/{kind}/{id}"))
}
