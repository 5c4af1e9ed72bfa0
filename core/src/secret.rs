//! The one type that holds a secret value: client secrets, access tokens, refresh tokens,
//! personal access tokens, passphrases.
//!
//! It deliberately implements neither `Serialize` nor `Deserialize`: a secret can only reach a
//! serialized form through [`exposed`], which the sealed vault payload and the agent's token
//! answer opt into by name. Everything else (status JSON, events, audit records, errors) cannot
//! carry one by accident.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string. Debug and Display print `[redacted]`; the memory is wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself. Call sites are few and greppable on purpose.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// Serde adapter for the few places that must write a secret's value: use with
/// `#[serde(with = "crate::secret::exposed")]` (or `exposed::option` for `Option<Secret>`).
pub mod exposed {
    use super::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(secret.expose())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }

    pub mod option {
        use super::Secret;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            secret: &Option<Secret>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match secret {
                Some(secret) => serializer.serialize_some(secret.expose()),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Secret>, D::Error> {
            Ok(Option::<String>::deserialize(deserializer)?.map(Secret))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some([redacted])");
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }

    #[test]
    fn exposed_adapter_round_trips() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Payload {
            #[serde(with = "exposed")]
            token: Secret,
            #[serde(with = "exposed::option", default)]
            maybe: Option<Secret>,
        }
        let json = serde_json::to_string(&Payload {
            token: Secret::new("abc"),
            maybe: None,
        })
        .unwrap();
        assert_eq!(json, r#"{"token":"abc","maybe":null}"#);
        let back: Payload = serde_json::from_str(&json).unwrap();
        assert_eq!(back.token.expose(), "abc");
        assert!(back.maybe.is_none());
    }
}
