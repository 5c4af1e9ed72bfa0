//! Where the vault key comes from: one item in the OS keychain (the default), or a passphrase
//! stretched with Argon2id on machines without a keychain. Never a plaintext fallback.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::seal::VaultKey;
use crate::secret::Secret;

/// The keychain item's service name; its account is `vault-key/<vault id>`, so several vaults
/// (test runs, servers with several data dirs) never share or overwrite a key.
pub const KEYCHAIN_SERVICE: &str = "webex-token-tray";
pub const PASSPHRASE_ENV: &str = "WEBEX_TOKEN_PASSPHRASE";
pub const MIN_PASSPHRASE_CHARS: usize = 12;

pub fn keychain_account(vault_id: &str) -> String {
    format!("vault-key/{vault_id}")
}

/// Where a vault's key is kept. The vault records the kind it was created with; the config
/// may name the kind a new vault gets.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantNames,
)]
#[strum(serialize_all = "kebab-case")]
pub enum KeySourceKind {
    /// The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager).
    Keychain,
    /// A passphrase stretched with Argon2id, for machines without a keychain.
    Passphrase,
}

crate::names::serde_by_name!(KeySourceKind);

impl KeySourceKind {
    /// The kind a person or a file names, ignoring surrounding spaces.
    pub fn parse(value: &str) -> Option<Self> {
        value.trim().parse().ok()
    }
}

/// How the caller wants the key obtained. A new vault uses `explicit`, or the keychain when
/// nothing was chosen; an existing vault always uses the source it was created with, and an
/// explicit choice that contradicts it is an error rather than a silent switch.
pub struct KeySource {
    pub explicit: Option<KeySourceKind>,
    pub passphrase: Box<dyn PassphraseSource>,
}

impl KeySource {
    pub fn keychain() -> Self {
        KeySource {
            explicit: Some(KeySourceKind::Keychain),
            passphrase: Box::new(GivenOrPrompt::default()),
        }
    }

    pub fn passphrase(source: Box<dyn PassphraseSource>) -> Self {
        KeySource {
            explicit: Some(KeySourceKind::Passphrase),
            passphrase: source,
        }
    }

    /// The kind a new vault gets.
    pub fn for_new_vault(&self) -> KeySourceKind {
        self.explicit.unwrap_or(KeySourceKind::Keychain)
    }
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.explicit {
            Some(kind) => f.write_str(kind.as_str()),
            None => f.write_str("default"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PassphrasePurpose {
    /// A new vault: the source may ask twice to catch typos.
    Create,
    Unlock,
}

/// Supplies the passphrase: from the environment, a terminal prompt (CLI) or a dialog (tray).
pub trait PassphraseSource: Send + Sync {
    fn passphrase(&self, purpose: PassphrasePurpose) -> Result<Secret, String>;
}

/// Asks a person for the passphrase (a terminal prompt, a dialog).
pub type PassphrasePrompt = Box<dyn Fn(PassphrasePurpose) -> Result<Secret, String> + Send + Sync>;

/// The passphrase given when the process started (`WEBEX_TOKEN_PASSPHRASE`, read once and taken
/// out of the environment by the shell's `main`), else `prompt` when given.
#[derive(Default)]
pub struct GivenOrPrompt {
    /// `Err` says why the given value is unusable (e.g. not UTF-8).
    pub given: Option<Result<Secret, String>>,
    pub prompt: Option<PassphrasePrompt>,
}

impl PassphraseSource for GivenOrPrompt {
    fn passphrase(&self, purpose: PassphrasePurpose) -> Result<Secret, String> {
        if let Some(given) = &self.given {
            return given.clone();
        }
        match &self.prompt {
            Some(prompt) => prompt(purpose),
            None => Err(format!(
                "the vault key source is a passphrase: set {PASSPHRASE_ENV} or run interactively"
            )),
        }
    }
}

/// `WEBEX_TOKEN_PASSPHRASE` and `WEBEX_TOKEN_KEY_SOURCE`, taken out of the environment so that
/// no child process inherits what unlocks the vault.
pub struct StartupSecrets {
    pub passphrase: Option<Result<Secret, String>>,
    pub key_source: Option<String>,
}

pub const KEY_SOURCE_ENV: &str = "WEBEX_TOKEN_KEY_SOURCE";

impl StartupSecrets {
    /// Takes both variables out of the environment.
    ///
    /// # Safety
    ///
    /// No other thread may be running: call it first thing in `main`, before any runtime
    /// starts (see [`crate::platform::secret_env::take`]).
    pub unsafe fn take_from_env() -> StartupSecrets {
        // SAFETY: forwarded from the caller.
        let passphrase = unsafe { crate::platform::secret_env::take(PASSPHRASE_ENV) };
        // SAFETY: forwarded from the caller.
        let key_source = unsafe { crate::platform::secret_env::take(KEY_SOURCE_ENV) };
        StartupSecrets {
            passphrase: passphrase.map(|value| {
                value
                    .into_string()
                    .map(Secret::new)
                    .map_err(|_| format!("{PASSPHRASE_ENV} is not valid UTF-8"))
            }),
            key_source: key_source.map(|value| value.to_string_lossy().into_owned()),
        }
    }
}

/// Argon2id parameters, stored in the vault beside a random salt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KdfParams {
    pub algorithm: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub salt: Vec<u8>,
}

/// The ranges this version derives a key with. The parameters are read from the vault file,
/// which anyone who can write it could edit: outside these ranges a derivation would cost
/// terabytes or hours, so it is refused instead. The upper ends leave room to raise the cost of
/// new vaults (64 MiB and 3 passes today) without refusing vaults made by later versions.
pub const KDF_MEMORY_KIB: std::ops::RangeInclusive<u32> = 1024..=1024 * 1024;
pub const KDF_ITERATIONS: std::ops::RangeInclusive<u32> = 1..=16;
pub const KDF_PARALLELISM: std::ops::RangeInclusive<u32> = 1..=8;
pub const KDF_SALT_BYTES: std::ops::RangeInclusive<usize> = 16..=64;
/// The derived key is a 32-byte XChaCha20-Poly1305 key; no stored parameter changes that.
pub const KDF_OUTPUT_BYTES: usize = 32;

impl KdfParams {
    /// 64 MiB, 3 passes: about a third of a second here, per process, once.
    pub fn new_random() -> Self {
        let mut salt = vec![0u8; 16];
        getrandom::fill(&mut salt).expect("the OS random source is available");
        KdfParams {
            algorithm: "argon2id".into(),
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 1,
            salt,
        }
    }

    /// Refuses parameters outside the ranges above, naming the first one that is.
    pub fn check(&self) -> Result<(), String> {
        if self.algorithm != "argon2id" {
            return Err(format!(
                "the key derivation is {:?}, not argon2id",
                self.algorithm
            ));
        }
        let outside = |name: &str, value: String, range: String| {
            Err(format!(
                "the key derivation parameter {name} is {value}, outside the accepted {range}"
            ))
        };
        if !KDF_MEMORY_KIB.contains(&self.memory_kib) {
            return outside(
                "memory_kib",
                self.memory_kib.to_string(),
                format!("{}..={} KiB", KDF_MEMORY_KIB.start(), KDF_MEMORY_KIB.end()),
            );
        }
        if !KDF_ITERATIONS.contains(&self.iterations) {
            return outside(
                "iterations",
                self.iterations.to_string(),
                format!("{}..={}", KDF_ITERATIONS.start(), KDF_ITERATIONS.end()),
            );
        }
        if !KDF_PARALLELISM.contains(&self.parallelism) {
            return outside(
                "parallelism",
                self.parallelism.to_string(),
                format!("{}..={}", KDF_PARALLELISM.start(), KDF_PARALLELISM.end()),
            );
        }
        if !KDF_SALT_BYTES.contains(&self.salt.len()) {
            return outside(
                "salt",
                format!("{} bytes long", self.salt.len()),
                format!(
                    "{}..={} bytes",
                    KDF_SALT_BYTES.start(),
                    KDF_SALT_BYTES.end()
                ),
            );
        }
        Ok(())
    }

    pub fn derive(&self, passphrase: &Secret) -> Result<VaultKey, String> {
        self.check()?;
        let params = Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(KDF_OUTPUT_BYTES),
        )
        .map_err(|e| format!("bad key derivation parameters: {e}"))?;
        let mut key = Zeroizing::new([0u8; KDF_OUTPUT_BYTES]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.expose().as_bytes(), &self.salt, key.as_mut())
            .map_err(|e| format!("key derivation failed: {e}"))?;
        Ok(VaultKey::from_bytes(key.as_ref()).expect("the derived key is 32 bytes"))
    }
}

/// What went wrong talking to the OS keychain. Messages say how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error(
        "the OS keychain refused access to the vault key ({detail}): it is locked or no unlocked \
         keyring exists. Unlock your login keyring (log in to the desktop, or run \
         `gnome-keyring-daemon --unlock`) and try again, or keep the vault key under a \
         passphrase instead with WEBEX_TOKEN_KEY_SOURCE=passphrase"
    )]
    Locked { detail: String },
    #[error(
        "no OS keychain is reachable ({detail}). On a desktop, start its keyring (gnome-keyring, \
         KWallet); on a server or in CI, keep the vault key under a passphrase: set \
         WEBEX_TOKEN_KEY_SOURCE=passphrase and WEBEX_TOKEN_PASSPHRASE"
    )]
    Unavailable { detail: String },
    #[error("the OS keychain failed: {detail}")]
    Other { detail: String },
}

fn entry(vault_id: &str) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(KEYCHAIN_SERVICE, &keychain_account(vault_id)).map_err(map_keyring_error)
}

/// The vault key stored for `vault_id`, or `None` when the keychain has no such item.
pub fn keychain_load(vault_id: &str) -> Result<Option<VaultKey>, KeychainError> {
    match entry(vault_id)?.get_secret() {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            VaultKey::from_bytes(&bytes)
                .map(Some)
                .ok_or_else(|| KeychainError::Other {
                    detail: format!(
                        "the keychain item {KEYCHAIN_SERVICE} / {} does not hold a 32-byte key",
                        keychain_account(vault_id)
                    ),
                })
        }
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(map_keyring_error(e)),
    }
}

pub fn keychain_store(vault_id: &str, key: &VaultKey) -> Result<(), KeychainError> {
    entry(vault_id)?
        .set_secret(key.as_bytes())
        .map_err(map_keyring_error)
}

pub fn keychain_delete(vault_id: &str) -> Result<(), KeychainError> {
    match entry(vault_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(map_keyring_error(e)),
    }
}

fn map_keyring_error(error: keyring::Error) -> KeychainError {
    let detail = error.to_string();
    match error {
        keyring::Error::NoStorageAccess(_) => KeychainError::Locked { detail },
        keyring::Error::PlatformFailure(_) => KeychainError::Unavailable { detail },
        _ => KeychainError::Other { detail },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrase_derivation_is_deterministic_per_salt() {
        let mut params = KdfParams::new_random();
        // Small cost: this checks wiring, not strength.
        params.memory_kib = 1024;
        params.iterations = 1;
        let pass = Secret::new("correct horse battery staple");
        let a = params.derive(&pass).unwrap();
        let b = params.derive(&pass).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes());
        let other = params
            .derive(&Secret::new("correct horse battery stapler"))
            .unwrap();
        assert_ne!(a.as_bytes(), other.as_bytes());
        let mut resalted = params.clone();
        resalted.salt = vec![7; 16];
        assert_ne!(resalted.derive(&pass).unwrap().as_bytes(), a.as_bytes());
    }

    #[test]
    fn parameters_outside_the_sane_ranges_are_refused_before_any_work() {
        let sane = KdfParams::new_random();
        assert_eq!(sane.check(), Ok(()));
        let pass = Secret::new("correct horse battery staple");
        type Edit = fn(&mut KdfParams);
        let cases: [(&str, Edit); 8] = [
            ("memory_kib", |p| p.memory_kib = u32::MAX),
            ("memory_kib", |p| p.memory_kib = 8),
            ("iterations", |p| p.iterations = u32::MAX),
            ("iterations", |p| p.iterations = 0),
            ("parallelism", |p| p.parallelism = 0xFF_FFFF),
            ("salt", |p| p.salt = vec![0; 4]),
            ("salt", |p| p.salt = vec![0; 1 << 20]),
            ("argon2id", |p| p.algorithm = "scrypt".into()),
        ];
        for (named, edit) in cases {
            let mut params = sane.clone();
            edit(&mut params);
            let refused = params.check().unwrap_err();
            assert!(refused.contains(named), "{refused}");
            // derive refuses too, at once: u32::MAX KiB would be a 4 TiB allocation.
            assert_eq!(params.derive(&pass).unwrap_err(), refused);
        }
    }
}
