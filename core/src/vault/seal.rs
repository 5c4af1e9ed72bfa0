//! Envelope encryption of one credential's secrets: XChaCha20-Poly1305 with a random 24-byte
//! nonce per write and the credential id bound as associated data, so a blob moved to another
//! row, or altered in any bit, fails to open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

const NONCE_LEN: usize = 24;
/// Prefix of all associated data: a format tag, so a future scheme cannot be confused with this one.
const AAD_PREFIX: &[u8] = b"webex-token-tray/seal/v1/";

/// The 256-bit vault key. Never printed, wiped on drop.
#[derive(Clone)]
pub struct VaultKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultKey([redacted])")
    }
}

impl VaultKey {
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut()).expect("the OS random source is available");
        VaultKey(key)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(VaultKey(Zeroizing::new(array)))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Seals and opens blobs with one key.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the sealed data was altered, belongs to another record, or was sealed with another key")]
pub struct OpenError;

impl Sealer {
    pub fn new(key: &VaultKey) -> Self {
        Sealer {
            cipher: XChaCha20Poly1305::new(key.as_bytes().into()),
        }
    }

    /// `nonce || ciphertext+tag`, bound to `context` (e.g. the credential id).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the OS random source is available");
        let aad = associated_data(context);
        let ciphertext = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        if sealed.len() < NONCE_LEN {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let aad = associated_data(context);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| OpenError)
    }
}

fn associated_data(context: &str) -> Vec<u8> {
    [AAD_PREFIX, context.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_kind_of_tampering_is_rejected() {
        let sealer = Sealer::new(&VaultKey::generate());
        let sealed = sealer.seal("int-abc", b"secret payload");
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            &*sealer.open("int-abc", &sealed).unwrap(),
            b"secret payload"
        );

        // Another row's id.
        assert_eq!(sealer.open("int-xyz", &sealed), Err(OpenError));
        // Any flipped bit, in the nonce, the ciphertext or the tag.
        for i in [0, NONCE_LEN, sealed.len() - 1] {
            let mut tampered = sealed.clone();
            tampered[i] ^= 1;
            assert_eq!(
                sealer.open("int-abc", &tampered),
                Err(OpenError),
                "byte {i}"
            );
        }
        // Truncated.
        assert_eq!(sealer.open("int-abc", &sealed[..10]), Err(OpenError));
        // Another key.
        let other = Sealer::new(&VaultKey::generate());
        assert_eq!(other.open("int-abc", &sealed), Err(OpenError));
    }

    #[test]
    fn nonces_differ_between_seals_of_the_same_data() {
        let sealer = Sealer::new(&VaultKey::generate());
        assert_ne!(sealer.seal("a", b"x"), sealer.seal("a", b"x"));
    }

    #[test]
    fn key_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", VaultKey::generate()),
            "VaultKey([redacted])"
        );
    }
}
