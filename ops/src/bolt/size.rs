//! How much a row read over Bolt holds, to bound an answer (issue 13, item 9): the length of each
//! string and byte array, 8 per number, 1 per boolean or null, keys of maps included. Values are
//! visited where they lie, never copied.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// The size of one row's values.
pub fn of_row(row: &neo4rs::Row) -> Result<usize, String> {
    row.keys().into_iter().try_fold(0, |sum, key| {
        let Size(size) = row.get::<Size>(&key.value).map_err(|err| format!("{}: {err}", key.value))?;
        Ok(sum + key.value.len() + size)
    })
}

struct Size(usize);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Counter)
    }
}

struct Counter;

impl<'de> Visitor<'de> for Counter {
    type Value = Size;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any Bolt value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Size, E> {
        Ok(Size(1))
    }

    // A byte array is visited as a sequence of u8.
    fn visit_u8<E>(self, _: u8) -> Result<Size, E> {
        Ok(Size(1))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Size, E> {
        Ok(Size(8))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Size, E> {
        Ok(Size(8))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Size, E> {
        Ok(Size(8))
    }

    fn visit_str<E>(self, text: &str) -> Result<Size, E> {
        Ok(Size(text.len()))
    }

    fn visit_bytes<E>(self, bytes: &[u8]) -> Result<Size, E> {
        Ok(Size(bytes.len()))
    }

    fn visit_unit<E>(self) -> Result<Size, E> {
        Ok(Size(1))
    }

    fn visit_none<E>(self) -> Result<Size, E> {
        Ok(Size(1))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Size, D::Error> {
        Size::deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Size, D::Error> {
        Size::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Size, A::Error> {
        let mut sum = 0;
        while let Some(Size(size)) = seq.next_element()? {
            sum += size;
        }
        Ok(Size(sum))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Size, A::Error> {
        let mut sum = 0;
        while let Some((Size(key), Size(value))) = map.next_entry()? {
            sum += key + value;
        }
        Ok(Size(sum))
    }
}

#[cfg(test)]
mod tests {
    use neo4rs::{BoltList, BoltMap, BoltType, Row};

    use super::of_row;

    fn row(values: Vec<(&str, BoltType)>) -> Row {
        let (fields, data): (Vec<_>, Vec<_>) = values.into_iter().map(|(k, v)| (BoltType::from(k), v)).unzip();
        Row::new(BoltList::from(fields), BoltList::from(data))
    }

    #[test]
    fn strings_count_their_bytes_numbers_eight_and_keys_their_names() {
        let mut map = BoltMap::default();
        map.put("ab".into(), BoltType::from(true));
        let values = vec![
            ("name", BoltType::from("orders")),
            ("n", BoltType::from(3_i64)),
            ("f", BoltType::from(1.5_f64)),
            ("list", BoltType::List(BoltList::from(vec![BoltType::from("xyz"), BoltType::from(7_i64)]))),
            ("map", BoltType::Map(map)),
            ("bytes", BoltType::from(vec![1_u8, 2, 3, 4, 5])),
        ];
        // Keys: 4 + 1 + 1 + 4 + 3 + 5; values: 6 + 8 + 8 + (3 + 8) + (2 + 1) + 5.
        assert_eq!(of_row(&row(values)), Ok(18 + 41));
    }
}
