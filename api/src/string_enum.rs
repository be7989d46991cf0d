//! String enums that tolerate values they do not know.
//!
//! The CRD schema lists the accepted values (`enum: [...]`), so the API server refuses the rest.
//! But the mutating webhook runs *before* schema validation, and the offline `validate` verb sees
//! raw files: both must decode an object carrying `backupType: INCREMENTAL` and then report it as
//! a rule error that names the field and the accepted values. So decoding never fails on an
//! unknown value; it lands in `Unknown(String)` and serialises back unchanged.

/// Declares a string enum: known variants with their wire value, plus `Unknown(String)`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value outside the accepted set, kept verbatim so a rule can report it.
            Unknown(String),
        }

        impl $name {
            /// The accepted wire values, in the order the docs list them.
            pub const VALUES: &'static [&'static str] = &[$($value),+];

            /// The wire value of this variant.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether the value is one of [`Self::VALUES`].
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl $crate::string_enum::StringEnum for $name {
            const VALUES: &'static [&'static str] = &[$($value),+];

            fn as_str(&self) -> &str {
                $name::as_str(self)
            }

            fn is_known(&self) -> bool {
                $name::is_known(self)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn inline_schema() -> bool {
                true
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                // maxLength bounds the cost the API server estimates for CEL rules that compare it.
                schemars::json_schema!({ "type": "string", "enum": Self::VALUES, "maxLength": $crate::string_enum::ENUM_MAX_LENGTH })
            }
        }
    };
}

pub(crate) use string_enum;

/// Longest value any string enum field accepts on the API server (generously above the real ones).
pub const ENUM_MAX_LENGTH: usize = 64;

/// What every string enum of the API offers, so one rule can report any unknown value.
pub trait StringEnum {
    /// The accepted wire values.
    const VALUES: &'static [&'static str];
    /// The wire value.
    fn as_str(&self) -> &str;
    /// Whether the value is one of [`Self::VALUES`].
    fn is_known(&self) -> bool;
}

#[cfg(test)]
mod tests {
    string_enum! {
        /// A test enum.
        Colour { Red = "red", Green = "green" }
    }

    #[test]
    fn known_values_round_trip() {
        let c: Colour = serde_json::from_str("\"green\"").unwrap();
        assert_eq!(c, Colour::Green);
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"green\"");
        assert!(c.is_known());
    }

    #[test]
    fn unknown_values_are_kept_verbatim() {
        let c: Colour = serde_json::from_str("\"Blue\"").unwrap();
        assert_eq!(c, Colour::Unknown("Blue".into()));
        assert!(!c.is_known());
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"Blue\"");
        assert_eq!(c.to_string(), "Blue");
    }

    #[test]
    fn schema_lists_the_accepted_values() {
        let schema = schemars::schema_for!(Colour);
        assert_eq!(schema.get("enum").unwrap(), &serde_json::json!(["red", "green"]));
        assert_eq!(schema.get("type").unwrap(), "string");
    }
}
