//! `pointInTime` (RFC 3339, any offset) as `neo4j-admin database restore --restore-until` wants
//! it: a UTC date `YYYY-MM-DD HH:MM:SS`.

use k8s_openapi::jiff::Timestamp;
use k8s_openapi::jiff::tz::TimeZone;

/// Converts `pointInTime` to neo4j-admin's form. Fractions of a second are dropped: the restore
/// then stops at the whole second before, never after, the moment asked for.
pub fn restore_until(point_in_time: &str) -> Result<String, String> {
    let moment: Timestamp = point_in_time
        .parse()
        .map_err(|_| format!("{point_in_time:?} is not an RFC 3339 time; write e.g. 2025-01-04T12:30:00Z"))?;
    Ok(moment.to_zoned(TimeZone::UTC).strftime("%Y-%m-%d %H:%M:%S").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_offset_becomes_utc_without_fractions() {
        assert_eq!(restore_until("2025-01-04T12:30:00Z").unwrap(), "2025-01-04 12:30:00");
        assert_eq!(restore_until("2025-01-04T14:30:00+02:00").unwrap(), "2025-01-04 12:30:00");
        assert_eq!(restore_until("2025-01-04T00:15:00-05:00").unwrap(), "2025-01-04 05:15:00");
        assert_eq!(restore_until("2025-01-01T00:30:00.999+01:00").unwrap(), "2024-12-31 23:30:00");
    }

    #[test]
    fn not_a_time_is_an_error_with_an_example() {
        assert_eq!(
            restore_until("yesterday").unwrap_err(),
            "\"yesterday\" is not an RFC 3339 time; write e.g. 2025-01-04T12:30:00Z"
        );
    }
}
