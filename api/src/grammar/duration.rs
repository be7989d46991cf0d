//! The one duration grammar of the API: a sequence of `<n><unit>` with units s, m, h, d, w, y
//! (`30s`, `1h30m`, `7d`, `7y`; y = 365d), positive, no spaces.

/// What the grammar accepts, for messages.
pub const DURATION_HINT: &str = "write <number><unit> with units s, m, h, d, w, y, e.g. 30s, 1h30m, 7d";

/// Seconds in a duration, or why it is not one.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    if text.is_empty() {
        return Err(format!("is empty; {DURATION_HINT}"));
    }
    if !text.chars().all(|c| c.is_ascii_digit() || "smhdwy".contains(c)) {
        return Err(format!("{text:?} is not a duration; {DURATION_HINT}"));
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            'y' => 365 * 86_400,
            _ => return Err(format!("{text:?} is not a duration; {DURATION_HINT}")),
        };
        if digits.is_empty() {
            return Err(format!("{text:?} is not a duration: a number must come before {c:?}; {DURATION_HINT}"));
        }
        let amount: u64 = digits.parse().map_err(|_| format!("{text:?} is too large a duration"))?;
        total = amount
            .checked_mul(unit)
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or_else(|| format!("{text:?} is too large a duration"))?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!("{text:?} is not a duration: {digits:?} has no unit; {DURATION_HINT}"));
    }
    if total == 0 {
        return Err(format!("{text:?} must be longer than zero"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_durations_and_their_seconds() {
        for (text, seconds) in [
            ("30s", 30),
            ("1m", 60),
            ("1h30m", 5_400),
            ("7d", 604_800),
            ("2w", 1_209_600),
            ("7y", 7 * 365 * 86_400),
            ("1d12h", 129_600),
            ("90d", 7_776_000),
        ] {
            assert_eq!(parse_duration(text), Ok(seconds), "{text}");
        }
    }

    #[test]
    fn refused_durations_say_why() {
        let hint = DURATION_HINT;
        for (text, message) in [
            ("", format!("is empty; {hint}")),
            ("7 days", format!("\"7 days\" is not a duration; {hint}")),
            ("30", format!("\"30\" is not a duration: \"30\" has no unit; {hint}")),
            ("h", format!("\"h\" is not a duration: a number must come before 'h'; {hint}")),
            ("1.5h", format!("\"1.5h\" is not a duration; {hint}")),
            ("-1h", format!("\"-1h\" is not a duration; {hint}")),
            ("0s", "\"0s\" must be longer than zero".to_owned()),
            ("0d0h", "\"0d0h\" must be longer than zero".to_owned()),
            ("99999999999999999999y", "\"99999999999999999999y\" is too large a duration".to_owned()),
            ("1H", format!("\"1H\" is not a duration; {hint}")),
            ("soon", format!("\"soon\" is not a duration; {hint}")),
        ] {
            assert_eq!(parse_duration(text), Err(message), "{text}");
        }
    }
}
