//! The text of an enum's variants, written once: strum derives `as_str` and parsing from the
//! variant names (kebab-case), and [`serde_by_name!`] makes serde use exactly those strings, so
//! what the vault, the audit log, the agent and `--json` write is what they read back.

/// Implements `Serialize`/`Deserialize` for an enum through its strum names. The enum derives
/// `strum::IntoStaticStr`, `strum::EnumString` and `strum::VariantNames` with
/// `#[strum(serialize_all = "kebab-case")]`.
macro_rules! serde_by_name {
    ($ty:ty) => {
        impl $ty {
            /// The variant's name, as serialized.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(|_| {
                    <D::Error as ::serde::de::Error>::unknown_variant(
                        &text,
                        <$ty as ::strum::VariantNames>::VARIANTS,
                    )
                })
            }
        }
    };
}
pub(crate) use serde_by_name;
