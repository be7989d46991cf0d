//! Sizes: the byte-size grammar of the API (`10MB`, `512Ki`, `1Gi`) and Kubernetes quantities
//! (PVC sizes such as `100Gi`).

/// What the byte-size grammar accepts, for messages.
pub const BYTE_SIZE_HINT: &str =
    "write <number><unit> with units B, KB, MB, GB, TB or Ki, Mi, Gi, Ti, e.g. 10MB, 512Ki, 1Gi";

const BYTE_UNITS: [(&str, u64); 13] = [
    ("", 1),
    ("B", 1),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("K", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
];

/// Bytes in a byte size, or why it is not one.
pub fn parse_byte_size(text: &str) -> Result<u64, String> {
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let multiplier = BYTE_UNITS.iter().find(|(name, _)| *name == unit).map(|(_, m)| *m);
    let (Some(multiplier), false) = (multiplier, number.is_empty()) else {
        return Err(format!("{text:?} is not a byte size; {BYTE_SIZE_HINT}"));
    };
    let amount: u64 = number.parse().map_err(|_| format!("{text:?} is too large a byte size"))?;
    let bytes = amount.checked_mul(multiplier).ok_or_else(|| format!("{text:?} is too large a byte size"))?;
    if bytes == 0 {
        return Err(format!("{text:?} must be larger than zero"));
    }
    Ok(bytes)
}

/// Checks a Kubernetes quantity meant as a storage size: positive, with a suffix Kubernetes knows
/// (Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, P, E, or an exponent such as `1e9`).
pub fn check_storage_quantity(text: &str) -> Result<(), String> {
    let hint = "write a Kubernetes quantity such as 50Gi, 100Gi or 1Ti";
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number_ok = !number.is_empty()
        && number.chars().filter(|c| *c == '.').count() <= 1
        && number.chars().any(|c| c.is_ascii_digit());
    let suffix_ok = matches!(suffix, "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "k" | "M" | "G" | "T" | "P" | "E")
        || is_exponent(suffix);
    if !number_ok || !suffix_ok {
        return Err(format!("{text:?} is not a Kubernetes quantity; {hint}"));
    }
    if number.chars().all(|c| c == '0' || c == '.') {
        return Err(format!("{text:?} must be larger than zero; {hint}"));
    }
    Ok(())
}

/// `e9`, `E+3`, `e-2`: a decimal exponent suffix.
fn is_exponent(suffix: &str) -> bool {
    let Some(rest) = suffix.strip_prefix(['e', 'E']) else {
        return false;
    };
    let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes() {
        for (text, bytes) in [("10MB", 10_000_000), ("512Ki", 524_288), ("1Gi", 1 << 30), ("100", 100), ("64B", 64)] {
            assert_eq!(parse_byte_size(text), Ok(bytes), "{text}");
        }
        for (text, message) in [
            ("10 MB", format!("\"10 MB\" is not a byte size; {BYTE_SIZE_HINT}")),
            ("MB", format!("\"MB\" is not a byte size; {BYTE_SIZE_HINT}")),
            ("10mb", format!("\"10mb\" is not a byte size; {BYTE_SIZE_HINT}")),
            ("1.5GB", format!("\"1.5GB\" is not a byte size; {BYTE_SIZE_HINT}")),
            ("0MB", "\"0MB\" must be larger than zero".to_owned()),
            ("99999999999999999999TB", "\"99999999999999999999TB\" is too large a byte size".to_owned()),
        ] {
            assert_eq!(parse_byte_size(text), Err(message), "{text}");
        }
    }

    #[test]
    fn storage_quantities() {
        for text in ["50Gi", "100Gi", "1Ti", "500M", "1.5Gi", "1e9", "1E+3", "10k", "1000"] {
            assert_eq!(check_storage_quantity(text), Ok(()), "{text}");
        }
        let hint = "write a Kubernetes quantity such as 50Gi, 100Gi or 1Ti";
        for (text, message) in [
            ("50GB", format!("\"50GB\" is not a Kubernetes quantity; {hint}")),
            ("50 Gi", format!("\"50 Gi\" is not a Kubernetes quantity; {hint}")),
            ("10K", format!("\"10K\" is not a Kubernetes quantity; {hint}")),
            ("Gi", format!("\"Gi\" is not a Kubernetes quantity; {hint}")),
            ("-5Gi", format!("\"-5Gi\" is not a Kubernetes quantity; {hint}")),
            ("1.2.3Gi", format!("\"1.2.3Gi\" is not a Kubernetes quantity; {hint}")),
            ("1e", format!("\"1e\" is not a Kubernetes quantity; {hint}")),
            ("0Gi", format!("\"0Gi\" must be larger than zero; {hint}")),
        ] {
            assert_eq!(check_storage_quantity(text), Err(message), "{text}");
        }
    }
}
