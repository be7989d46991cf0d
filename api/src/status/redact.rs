//! What a container says about itself is not trusted with secrets: a termination message may
//! carry a presigned URL, an access key, a password from a connection string, or terminal escape
//! sequences. Everything we copy into history, status and Events passes through [`redact`].

/// The longest message kept (in characters).
pub const MAX_MESSAGE_CHARS: usize = 512;
/// What stands where something was taken out.
pub const REDACTED: &str = "<redacted>";

/// Names whose values are secrets in `name=value` / `name: value` pairs (lower case).
const SECRET_NAMES: [&str; 9] =
    ["password", "passwd", "pwd", "secret", "token", "signature", "credential", "apikey", "accountkey"];

fn is_secret_name(name: &str) -> bool {
    let name = name.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_ascii_lowercase().replace(['-', '_'], "");
    SECRET_NAMES.iter().any(|secret| name.ends_with(secret) || name.starts_with("xamz"))
        || name == "sig"
        || name == "key"
}

fn looks_like_key(word: &str) -> bool {
    let opaque = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-');
    // AWS access key ids, and long opaque runs (keys, tokens, SAS signatures).
    let aws = word.len() == 20
        && (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let long_run = word.len() >= 40
        && word.chars().all(opaque)
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic());
    aws || long_run
}

fn redact_word(word: &str) -> String {
    // A URL's query string (presigned S3/GCS URLs, Azure SAS tokens) and its userinfo.
    if let Some(scheme_end) = word.find("://") {
        let mut text = word.to_owned();
        if let Some(query) = text.find('?') {
            text.replace_range(query + 1.., REDACTED);
        }
        let authority_start = scheme_end + 3;
        if let Some(at) = text[authority_start..].find('@').map(|i| i + authority_start)
            && !text[authority_start..at].contains('/')
        {
            text.replace_range(authority_start..at, REDACTED);
        }
        return text;
    }
    // name=value pairs, one or several joined by & or ;
    if word.contains('=') {
        return word
            .split_inclusive(['&', ';', ','])
            .map(|pair| match pair.split_once('=') {
                Some((name, value)) if is_secret_name(name) => {
                    let end = value
                        .chars()
                        .last()
                        .filter(|c| matches!(c, '&' | ';' | ','))
                        .map(String::from)
                        .unwrap_or_default();
                    format!("{name}={REDACTED}{end}")
                }
                _ if looks_like_key(pair.trim_end_matches(['&', ';', ','])) => REDACTED.to_owned(),
                _ => pair.to_owned(),
            })
            .collect();
    }
    if looks_like_key(word.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | '.' | ')' | '('))) {
        return REDACTED.to_owned();
    }
    word.to_owned()
}

/// `text` without control characters (terminal escapes included), with secrets replaced by
/// [`REDACTED`], cut to [`MAX_MESSAGE_CHARS`].
pub fn redact(text: &str) -> String {
    let printable: String =
        text.chars().map(|c| if c == '\n' || c == '\t' { ' ' } else { c }).filter(|c| !c.is_control()).collect();
    let mut out = Vec::new();
    let mut secret_follows = false;
    for word in printable.split(' ') {
        if secret_follows && !word.is_empty() {
            out.push(REDACTED.to_owned());
            secret_follows = false;
            continue;
        }
        // "password: hunter2"
        if word.strip_suffix(':').is_some_and(|name| !name.contains('=') && is_secret_name(name)) {
            secret_follows = true;
            out.push(word.to_owned());
            continue;
        }
        out.push(redact_word(word));
    }
    let joined = out.join(" ");
    let joined = joined.trim();
    if joined.chars().count() > MAX_MESSAGE_CHARS {
        let cut: String = joined.chars().take(MAX_MESSAGE_CHARS).collect();
        format!("{cut}...")
    } else {
        joined.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_messages_are_taken_out() {
        assert_eq!(
            redact(
                "GET https://bucket.s3.amazonaws.com/a.backup?X-Amz-Credential=AKIAABCDEFGHIJKLMNOP%2F&X-Amz-Signature=abc failed"
            ),
            "GET https://bucket.s3.amazonaws.com/a.backup?<redacted> failed"
        );
        assert_eq!(
            redact("connect neo4j://neo4j:hunter2@prod-client:7687 refused"),
            "connect neo4j://<redacted>@prod-client:7687 refused"
        );
        assert_eq!(redact("key AKIAABCDEFGHIJKLMNOP denied"), "key <redacted> denied");
        assert_eq!(redact("password=hunter2 user=neo4j"), "password=<redacted> user=neo4j");
        assert_eq!(
            redact("AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net"),
            "AccountKey=<redacted>;EndpointSuffix=core.windows.net"
        );
        assert_eq!(redact("password: hunter2 and more"), "password: <redacted> and more");
        assert_eq!(redact("token 0123456789abcdefABCDEF0123456789abcdefXYZ"), "token <redacted>");
    }

    #[test]
    fn ordinary_messages_stay_as_they_are() {
        for text in [
            "kept 3, deleted 1: orders-2025-01-20T02-00-00.backup",
            "exit 1 (the backup failed, or succeeded with problems such as uncontactable servers; not retried): Backup failed",
            "database orders restored: 10 nodes, 20 relationships",
            "container inventory exited with code 1",
            "the key was not found",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn control_characters_go_and_long_messages_are_cut() {
        assert_eq!(redact("red \u{1b}[31mALERT\u{1b}[0m\nnext\tline"), "red [31mALERT[0m next line");
        let long = "word ".repeat(200);
        let cut = redact(&long);
        assert_eq!(cut.chars().count(), MAX_MESSAGE_CHARS + 3);
        assert!(cut.ends_with("..."));
    }
}
