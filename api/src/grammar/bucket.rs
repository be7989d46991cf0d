//! Bucket and container names, by provider: S3, GCS and Azure each have their own rules.

use crate::types::StorageType;

/// Checks `name` as a bucket (S3, GCS) or container (Azure) name for `storage_type`.
pub fn check_bucket(storage_type: &StorageType, name: &str) -> Result<(), String> {
    match storage_type {
        StorageType::S3 => check_s3(name),
        StorageType::Gcs => check_gcs(name),
        StorageType::Azure => check_azure(name),
        StorageType::Pvc | StorageType::Unknown(_) => Ok(()),
    }
}

fn looks_like_ip(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
}

fn starts_and_ends_alphanumeric(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn check_s3(name: &str) -> Result<(), String> {
    let rule = "an S3 bucket name has 3 to 63 lowercase letters, digits, '.' and '-', starts and ends with a letter or digit, and is not an IP address";
    let chars_ok = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    if !(3..=63).contains(&name.len()) || !chars_ok || !starts_and_ends_alphanumeric(name) || looks_like_ip(name) {
        return Err(format!("{name:?} is not a valid S3 bucket name: {rule}"));
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return Err(format!("{name:?} is not a valid S3 bucket name: '.' may not be next to '.' or '-'"));
    }
    let reserved_prefix = ["xn--", "sthree-", "amzn-s3-demo-"].into_iter().find(|p| name.starts_with(p));
    let reserved_suffix =
        ["-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"].into_iter().find(|s| name.ends_with(s));
    if let Some(reserved) = reserved_prefix.or(reserved_suffix) {
        return Err(format!("{name:?} is not a valid S3 bucket name: {reserved:?} is reserved by AWS"));
    }
    Ok(())
}

fn check_gcs(name: &str) -> Result<(), String> {
    let rule = "a GCS bucket name has 3 to 63 lowercase letters, digits, '-', '_' and '.' (up to 222 with dots, 63 per dot-separated part), starts and ends with a letter or digit, and is not an IP address";
    let chars_ok = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    let max = if name.contains('.') { 222 } else { 63 };
    let parts_ok = name.split('.').all(|part| !part.is_empty() && part.len() <= 63);
    if !(3..=max).contains(&name.len())
        || !chars_ok
        || !parts_ok
        || !starts_and_ends_alphanumeric(name)
        || looks_like_ip(name)
    {
        return Err(format!("{name:?} is not a valid GCS bucket name: {rule}"));
    }
    if name.starts_with("goog") || name.contains("google") {
        return Err(format!(
            "{name:?} is not a valid GCS bucket name: names starting with \"goog\" or containing \"google\" are reserved"
        ));
    }
    Ok(())
}

fn check_azure(name: &str) -> Result<(), String> {
    let rule = "an Azure container name has 3 to 63 lowercase letters, digits and '-', starts and ends with a letter or digit, and has no '--'";
    let chars_ok = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !(3..=63).contains(&name.len()) || !chars_ok || !starts_and_ends_alphanumeric(name) || name.contains("--") {
        return Err(format!("{name:?} is not a valid Azure container name: {rule}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_buckets() {
        for name in ["my-neo4j-backups", "neo4j.backups.prod", "abc", "a1b"] {
            assert_eq!(check_s3(name), Ok(()), "{name}");
        }
        for (name, why) in [
            ("ab", "an S3 bucket name has 3 to 63"),
            ("My-Bucket", "an S3 bucket name has 3 to 63"),
            ("my_bucket", "an S3 bucket name has 3 to 63"),
            ("-bucket", "an S3 bucket name has 3 to 63"),
            ("192.168.1.10", "an S3 bucket name has 3 to 63"),
            ("my..bucket", "'.' may not be next to '.' or '-'"),
            ("xn--bucket", "\"xn--\" is reserved by AWS"),
            ("data-s3alias", "\"-s3alias\" is reserved by AWS"),
        ] {
            let err = check_s3(name).unwrap_err();
            assert!(err.starts_with(&format!("{name:?} is not a valid S3 bucket name: {why}")), "{name}: {err}");
        }
    }

    #[test]
    fn gcs_buckets() {
        for name in ["my_gcs_bucket", "neo4j-backups", "a.b.c", "long-term-backups"] {
            assert_eq!(check_gcs(name), Ok(()), "{name}");
        }
        for (name, why) in [
            ("Bucket", "a GCS bucket name has"),
            ("_bucket", "a GCS bucket name has"),
            ("10.0.0.1", "a GCS bucket name has"),
            ("googbucket", "names starting with \"goog\""),
            ("my-google-bucket", "names starting with \"goog\""),
        ] {
            let err = check_gcs(name).unwrap_err();
            assert!(err.starts_with(&format!("{name:?} is not a valid GCS bucket name: {why}")), "{name}: {err}");
        }
    }

    #[test]
    fn azure_containers() {
        for name in ["neo4j-backups", "enterprise-backups", "abc"] {
            assert_eq!(check_azure(name), Ok(()), "{name}");
        }
        for name in ["ab", "neo4j--backups", "Neo4j", "neo4j.backups", "neo4j_backups", "backups-"] {
            let err = check_azure(name).unwrap_err();
            assert!(err.starts_with(&format!("{name:?} is not a valid Azure container name")), "{name}: {err}");
        }
    }

    #[test]
    fn pvc_storage_has_no_bucket_rule() {
        assert_eq!(check_bucket(&StorageType::Pvc, "Anything_Goes"), Ok(()));
        assert!(check_bucket(&StorageType::Azure, "a--b").is_err());
    }
}
