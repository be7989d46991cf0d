//! Colour for people, never for machines: only when stdout is a terminal, and never when
//! `NO_COLOR` is set (https://no-color.org).

use std::io::IsTerminal;

/// The colours used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    /// Success.
    Green,
    /// Failure.
    Red,
    /// Warning.
    Yellow,
}

/// Whether to colour, from the facts that decide it.
pub fn decide(stdout_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stdout_is_terminal && no_color.is_none()
}

/// Whether this process colours its output.
pub fn enabled() -> bool {
    decide(std::io::stdout().is_terminal(), std::env::var_os("NO_COLOR").as_deref())
}

/// `text` in `colour` when `on`.
pub fn paint(text: &str, colour: Colour, on: bool) -> String {
    if !on {
        return text.to_owned();
    }
    let code = match colour {
        Colour::Green => 32,
        Colour::Red => 31,
        Colour::Yellow => 33,
    };
    format!("\u{1b}[{code}m{text}\u{1b}[0m")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_terminals_without_no_color_get_colour() {
        assert!(decide(true, None));
        assert!(!decide(false, None), "pipes and files stay plain");
        assert!(!decide(true, Some(std::ffi::OsStr::new("1"))));
        assert!(!decide(true, Some(std::ffi::OsStr::new(""))), "NO_COLOR set to anything, even empty");
        assert_eq!(paint("valid", Colour::Green, true), "\u{1b}[32mvalid\u{1b}[0m");
        assert_eq!(paint("valid", Colour::Green, false), "valid");
    }
}
