//! How many JSON values a body holds, counted without building any. What a review costs grows
//! with the values it holds far more than with its bytes (a 3.5 MiB body of 900,000
//! one-letter strings took 3.5 s and 655 MiB to judge, one long string takes milliseconds), so a
//! body is refused on its count before it is parsed (issue 13, item 4).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The most JSON values (objects, arrays, strings, numbers, booleans and nulls; keys are not
/// counted) one review may hold, envelope and both objects together. Our objects hold a few
/// hundred, a target with its managedFields a few thousand.
pub const MAX_VALUES: usize = 20_000;

/// Bodies of up to this many bytes cannot hold more than [`MAX_VALUES`] values (each takes at
/// least 2 bytes: `0,`), so they need no count.
pub const UNCOUNTED_BYTES: usize = 2 * MAX_VALUES;

/// Why a body was not counted to the end.
#[derive(Debug, PartialEq, Eq)]
pub enum Count {
    /// More than the bound.
    TooMany,
    /// Not JSON; parsing will say why.
    Malformed,
}

/// Whether `body` holds at most `max` values.
pub fn at_most(body: &[u8], max: usize) -> Result<(), Count> {
    let mut budget = Budget { left: max, exceeded: false };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match Counter(&mut budget).deserialize(&mut deserializer).and_then(|()| deserializer.end()) {
        Ok(()) => Ok(()),
        Err(_) if budget.exceeded => Err(Count::TooMany),
        Err(_) => Err(Count::Malformed),
    }
}

/// What a body over the bound is answered about: its uid, and the object's kind and name.
#[derive(Debug, Default, Deserialize)]
pub struct Head {
    /// The request, when there is one.
    #[serde(default)]
    pub request: Option<HeadRequest>,
}

/// The request part of a [`Head`].
#[derive(Debug, Default, Deserialize)]
pub struct HeadRequest {
    /// Echoed in the answer.
    pub uid: String,
    /// CREATE or UPDATE.
    #[serde(default)]
    pub operation: String,
    /// Its kind and name.
    #[serde(default)]
    pub object: Option<HeadObject>,
}

/// The object of a [`HeadRequest`].
#[derive(Debug, Default, Deserialize)]
pub struct HeadObject {
    /// E.g. `Neo4jBackup`.
    #[serde(default)]
    pub kind: String,
    /// Its name.
    #[serde(default)]
    pub metadata: HeadMetadata,
}

/// The metadata of a [`HeadObject`].
#[derive(Debug, Default, Deserialize)]
pub struct HeadMetadata {
    /// May be absent on CREATE with generateName.
    #[serde(default)]
    pub name: Option<String>,
}

/// Reads the head of a body, skipping everything else without building it.
pub fn head(body: &[u8]) -> Option<HeadRequest> {
    serde_json::from_slice::<Head>(body).ok()?.request
}

struct Budget {
    left: usize,
    exceeded: bool,
}

struct Counter<'a>(&'a mut Budget);

impl Counter<'_> {
    fn take<E: de::Error>(&mut self) -> Result<(), E> {
        if self.0.left == 0 {
            self.0.exceeded = true;
            return Err(E::custom("too many values"));
        }
        self.0.left -= 1;
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Counter<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(mut self, _: bool) -> Result<(), E> {
        self.take()
    }

    fn visit_i64<E: de::Error>(mut self, _: i64) -> Result<(), E> {
        self.take()
    }

    fn visit_u64<E: de::Error>(mut self, _: u64) -> Result<(), E> {
        self.take()
    }

    fn visit_f64<E: de::Error>(mut self, _: f64) -> Result<(), E> {
        self.take()
    }

    fn visit_str<E: de::Error>(mut self, _: &str) -> Result<(), E> {
        self.take()
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.take()
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.take()?;
        while seq.next_element_seed(Counter(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.take()?;
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Counter(&mut *self.0))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_counts_and_keys_do_not() {
        let body = br#"{"a": [1, -2, 3.5, "x", true, null, {}, []], "b": {"c": "d"}}"#;
        // The outer object, the array and its 8 items, the inner object and its string.
        assert_eq!(at_most(body, 12), Ok(()));
        assert_eq!(at_most(body, 11), Err(Count::TooMany));
    }

    #[test]
    fn what_is_not_json_is_left_to_the_parser() {
        assert_eq!(at_most(b"{\"a\": ", 100), Err(Count::Malformed));
        assert_eq!(at_most(b"[1] [2]", 100), Err(Count::Malformed));
    }

    #[test]
    fn a_small_body_cannot_hold_more_than_the_bound() {
        // The densest JSON: an array of one-digit numbers, 2 bytes a value.
        let densest = |zeros: usize| format!("[{}0]", "0,".repeat(zeros - 1));
        let fits = densest(MAX_VALUES - 1);
        assert!(fits.len() <= UNCOUNTED_BYTES);
        assert_eq!(at_most(fits.as_bytes(), MAX_VALUES), Ok(()));
        let over = densest(MAX_VALUES);
        assert!(over.len() > UNCOUNTED_BYTES);
        assert_eq!(at_most(over.as_bytes(), MAX_VALUES), Err(Count::TooMany));
    }

    #[test]
    fn the_head_is_read_without_the_rest() {
        let body = br#"{"apiVersion": "admission.k8s.io/v1", "request": {"uid": "u-1", "operation": "CREATE",
            "object": {"kind": "Neo4jBackup", "metadata": {"name": "nightly"}, "spec": {"x": [1, 2]}}}}"#;
        let head = head(body).unwrap();
        assert_eq!((head.uid.as_str(), head.operation.as_str()), ("u-1", "CREATE"));
        let object = head.object.unwrap();
        assert_eq!((object.kind.as_str(), object.metadata.name.as_deref()), ("Neo4jBackup", Some("nightly")));
    }
}
