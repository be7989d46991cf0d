//! Shell completion: scripts for `kubectl-neo4j` itself (`completion bash|zsh|fish`), and the
//! protocol kubectl speaks to plugins for `kubectl neo4j <TAB>`: kubectl runs the
//! `kubectl_complete-neo4j` shim with the words typed so far, which calls `kubectl-neo4j
//! __complete <words>`; the answer is one candidate per line (`word<TAB>description`), then
//! `:4` (Cobra's "no file completion").

use clap::Command;

/// Candidates for the last of `words` (the one being typed), after the others.
pub fn candidates(root: &Command, words: &[String]) -> Vec<(String, String)> {
    let (typed, before) = match words.split_last() {
        Some((last, rest)) => (last.as_str(), rest),
        None => ("", &[][..]),
    };
    let mut command = root;
    for word in before {
        if let Some(sub) = command.get_subcommands().find(|c| c.get_name() == word) {
            command = sub;
        }
    }
    let mut found: Vec<(String, String)> = Vec::new();
    if typed.starts_with('-') {
        for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                let flag = format!("--{long}");
                if flag.starts_with(typed) {
                    let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                    found.push((flag, help));
                }
            }
        }
    } else {
        for sub in command.get_subcommands().filter(|c| !c.is_hide_set() && c.get_name().starts_with(typed)) {
            found.push((sub.get_name().to_owned(), sub.get_about().map(|a| a.to_string()).unwrap_or_default()));
        }
    }
    found
}

/// The answer kubectl expects.
pub fn render(candidates: &[(String, String)]) -> String {
    let mut out = String::new();
    for (word, help) in candidates {
        let help = help.lines().next().unwrap_or_default();
        if help.is_empty() {
            out.push_str(&format!("{word}\n"));
        } else {
            out.push_str(&format!("{word}\t{help}\n"));
        }
    }
    out.push_str(":4\n");
    out
}
