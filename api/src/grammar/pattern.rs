//! Regular expressions written by users (`logShipping.rules[].pattern`): checked by parsing
//! alone, never compiled. Compiling runs in the admission path, and a short pattern such as
//! `(?i)\w{200}` costs tens of milliseconds and megabytes to compile: a few of them in one object
//! would take the fail-closed webhook down. Parsing is linear in the pattern, and bounded here.

/// The longest pattern accepted.
pub const MAX_PATTERN_LEN: usize = 256;
/// The deepest nesting of groups and repetitions accepted.
const MAX_NESTING: u32 = 16;

/// Checks that `pattern` is a regular expression in the syntax of Rust's `regex` crate, short
/// and shallow enough; the error says why not, in a few words.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!("is {} bytes long; the longest accepted is {MAX_PATTERN_LEN}", pattern.len()));
    }
    regex_syntax::ParserBuilder::new().nest_limit(MAX_NESTING).build().parse(pattern).map(|_| ()).map_err(|err| {
        let text = err.to_string();
        text.lines().last().unwrap_or_default().trim().trim_start_matches("error: ").to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_parsed_not_compiled() {
        assert_eq!(check_pattern("^orders-[0-9]+$"), Ok(()));
        assert_eq!(check_pattern("(unclosed").unwrap_err(), "unclosed group");
        assert_eq!(check_pattern("[unclosed").unwrap_err(), "unclosed character class");
        // Valid syntax that Rust's regex refuses to compile (far over its size limit): accepted,
        // because the pattern is parsed, never compiled (rules are accepted, not acted on).
        assert_eq!(check_pattern(r"(?:(?i)\w{200}){200}"), Ok(()));
    }

    #[test]
    fn long_or_deep_patterns_are_refused() {
        assert_eq!(check_pattern(&"a".repeat(257)).unwrap_err(), "is 257 bytes long; the longest accepted is 256");
        let deep = format!("{}a{}", "(".repeat(20), ")".repeat(20));
        assert_eq!(check_pattern(&deep).unwrap_err(), "exceed the maximum number of nested parentheses/brackets (16)");
        let shallow = format!("{}a{}", "(".repeat(10), ")".repeat(10));
        assert_eq!(check_pattern(&shallow), Ok(()));
    }
}
