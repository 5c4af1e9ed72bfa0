//! The one-time values of a browser authorization: the `state` that ties the redirect to this
//! run (CSRF), and the PKCE pair of RFC 7636 with the S256 method, whose verifier proves at the
//! code exchange that the code was asked for here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::secret::Secret;

/// 16 random bytes: 128 bits that a page guessing at the redirect port cannot guess.
const STATE_BYTES: usize = 16;
/// 32 random bytes, 43 characters once encoded: RFC 7636 asks for 43 to 128 and recommends
/// this.
const VERIFIER_BYTES: usize = 32;

/// A fresh `state` value, URL-safe.
pub(super) fn random_state() -> Secret {
    Secret::new(URL_SAFE_NO_PAD.encode(random::<STATE_BYTES>()))
}

pub(super) struct Pkce {
    /// Sent only with the code exchange.
    pub verifier: Secret,
    /// `code_challenge` of the authorize URL.
    pub challenge: String,
}

impl Pkce {
    pub(super) fn new_random() -> Self {
        Pkce::from_octets(&random::<VERIFIER_BYTES>())
    }

    /// The verifier is the octets in base64url without padding (which uses only characters
    /// RFC 7636 allows in one); the challenge is BASE64URL(SHA256(verifier)).
    fn from_octets(octets: &[u8]) -> Self {
        let verifier = URL_SAFE_NO_PAD.encode(octets);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Pkce {
            verifier: Secret::new(verifier),
            challenge,
        }
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_matches_the_example_of_rfc_7636_appendix_b() {
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let pkce = Pkce::from_octets(&octets);
        assert_eq!(
            pkce.verifier.expose(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
        assert_eq!(
            pkce.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn fresh_values_are_unguessable_and_url_safe() {
        let unreserved = |text: &str| {
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        };
        let (a, b) = (Pkce::new_random(), Pkce::new_random());
        assert_ne!(a.verifier, b.verifier);
        assert_eq!(a.verifier.len(), 43);
        assert!(unreserved(a.verifier.expose()));
        assert_eq!(a.challenge.len(), 43);
        assert!(unreserved(&a.challenge));

        let (s, t) = (random_state(), random_state());
        assert_ne!(s, t);
        assert_eq!(s.len(), 22);
        assert!(unreserved(s.expose()));
    }
}
