//! Every YAML block in README.md and docs/ is a valid example: it parses, and each of our
//! resources in it decodes without loss, is accepted whole by the generated CRD schema, and
//! passes the admission rules.

use std::path::{Path, PathBuf};

use neo4j_api::review::review;
use neo4j_api::rules::Context;
use neo4j_tests::fixtures::workspace_root;
use neo4j_tests::openapi::object_violations;
use neo4j_tests::resources::{assert_lossless, crd_of, kind_of, schema_of};
use serde_json::Value;

fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                found.push(path);
            }
        }
    }
    let root = workspace_root();
    let mut found = vec![root.join("README.md")];
    walk(&root.join("docs"), &mut found);
    found.sort();
    found
}

/// The ```yaml blocks of a markdown text, with the line each starts on.
fn yaml_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (number, line) in text.lines().enumerate() {
        let fence = line.trim_start();
        match current.as_mut() {
            None if fence == "```yaml" || fence == "```yml" => current = Some((number + 1, String::new())),
            Some(_) if fence.starts_with("```") => blocks.extend(current.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn validation_doc_equals_generation() {
    let committed = std::fs::read_to_string(workspace_root().join("docs/validation.md")).expect("docs/validation.md");
    assert!(
        committed == neo4j_api::rules::catalogue::render_markdown(),
        "docs/validation.md differs from the rule catalogue; run `cargo run -p kubectl-neo4j --bin crdgen` and commit"
    );
}

#[test]
fn yaml_blocks_are_found_with_their_line() {
    let text = "intro\n```yaml\na: 1\n```\n```sh\nls\n```\n  ```yaml\nb: 2\n  ```\n";
    assert_eq!(yaml_blocks(text), vec![(2, "a: 1\n".to_owned()), (8, "b: 2\n".to_owned())]);
}

#[test]
fn every_yaml_example_in_the_docs_is_valid() {
    let mut checked_resources = 0;
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).expect("read markdown");
        for (line, block) in yaml_blocks(&text) {
            let origin = PathBuf::from(format!("{}:{line}", file.display()));
            let documents: Vec<Value> = serde_saphyr::from_multiple(&block)
                .unwrap_or_else(|err| panic!("{}: invalid YAML: {err}", origin.display()));
            for document in documents {
                let ours = document["apiVersion"].as_str().is_some_and(|v| v.starts_with(neo4j_api::GROUP));
                if !ours {
                    continue;
                }
                assert_lossless(&origin, kind_of(&document), &document);
                let review = review(None, &document, &Context::default()).expect("one of our kinds");
                assert!(
                    review.verdict.is_allowed(),
                    "{}: refused by the rules:\n{}",
                    origin.display(),
                    review.verdict.error_lines().join("\n")
                );
                let violations = object_violations(&document, &schema_of(&crd_of(kind_of(&document))));
                assert!(
                    violations.is_empty(),
                    "{}: the API server would refuse or prune:\n{}",
                    origin.display(),
                    violations.join("\n")
                );
                checked_resources += 1;
            }
        }
    }
    assert!(checked_resources >= 2, "the docs show at least one Neo4jBackup and one Neo4jRestore");
}

/// The argv shown in docs/backup.md is what the plan of the example above it produces.
#[test]
fn the_backup_guide_shows_the_real_argv() {
    use neo4j_api::plan::backup_job::{BackupWorkload, plan_backup};
    use neo4j_api::plan::target::ResolvedTarget;
    let text = std::fs::read_to_string(workspace_root().join("docs/backup.md")).expect("docs/backup.md");
    let (_, yaml) = yaml_blocks(&text).into_iter().next().expect("the example");
    let backup: neo4j_api::Neo4jBackup = serde_saphyr::from_str(&yaml).expect("a Neo4jBackup");
    let cluster: neo4j_api::Neo4jEnterpriseCluster = serde_json::from_value(serde_json::json!({
        "apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod"},
        "spec": {"image": {"repo": "neo4j", "tag": "2025.04.0-enterprise"}, "topology": {"servers": 3}}}))
    .expect("cluster");
    let target = ResolvedTarget::from_cluster(&cluster, "neo4j").expect("target");
    let BackupWorkload::CronJob(cron) =
        plan_backup(&backup, &target, neo4j_api::plan::pod::DEFAULT_AGENT_IMAGE).expect("plan")
    else {
        panic!("a CronJob")
    };
    let pod = cron.spec.and_then(|s| s.job_template.spec).and_then(|s| s.template.spec).expect("pod");
    let backup = pod
        .init_containers
        .iter()
        .flatten()
        .chain(&pod.containers)
        .find(|c| c.name == "backup")
        .expect("the backup container");
    let command = backup.command.clone().expect("argv");
    // S3 credentials from a Secret: the argv runs under the AWS_REGION fallback, which the guide explains.
    assert_eq!(command[2], neo4j_api::plan::pod::AWS_REGION_FALLBACK);
    assert!(text.contains("with-aws-region neo4j-admin ..."), "the guide explains the wrapper");
    let argv = neo4j_api::plan::pod::admin_command(&command).to_vec();
    let shown = text.split("```text\n").nth(1).and_then(|rest| rest.split("```").next()).expect("the argv block");
    let shown: Vec<&str> = shown.split_whitespace().collect();
    assert_eq!(shown, argv.iter().map(String::as_str).collect::<Vec<_>>());
}

/// Where a command was shown: a fenced block (a whole command) or inline code in prose (often a
/// verb named without its arguments).
#[derive(Debug, PartialEq, Eq)]
enum Shown {
    Block,
    Inline,
}

/// The `kubectl neo4j` commands of a markdown text, each with its line: in fenced blocks (after a
/// `$ ` prompt when the block has prompts, joined over `\` continuations) and in inline code; cut
/// where the shell takes over (a pipe, a redirection, a comment).
fn plugin_commands(text: &str) -> Vec<(usize, Shown, String)> {
    fn command(candidate: &str) -> Option<String> {
        let rest = candidate.strip_prefix("kubectl neo4j ").or_else(|| candidate.strip_prefix("kubectl-neo4j "))?;
        let cut = [" |", " >", " #", " &&", " <"].iter().filter_map(|stop| rest.find(stop)).min().unwrap_or(rest.len());
        Some(rest[..cut].trim().to_owned())
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if lines[index].trim_start().starts_with("```") {
            let start = index + 1;
            let end = (start..lines.len()).find(|&i| lines[i].trim_start().starts_with("```")).unwrap_or(lines.len());
            let block = &lines[start..end];
            let prompted = block.iter().any(|line| line.trim_start().starts_with("$ "));
            let mut at = 0;
            while at < block.len() {
                let first = at;
                let mut joined = block[at].trim().to_owned();
                while joined.ends_with('\\') && at + 1 < block.len() {
                    joined.pop();
                    joined.truncate(joined.trim_end().len());
                    at += 1;
                    joined.push(' ');
                    joined.push_str(block[at].trim());
                }
                at += 1;
                let candidate = match joined.strip_prefix("$ ") {
                    Some(rest) => rest.to_owned(),
                    None if prompted => continue,
                    None => joined,
                };
                if let Some(command) = command(&candidate) {
                    found.push((start + first + 1, Shown::Block, command));
                }
            }
            index = end + 1;
            continue;
        }
        // A paragraph of prose: inline code may wrap over lines.
        let start = index;
        while index < lines.len() && !lines[index].trim_start().starts_with("```") && !lines[index].trim().is_empty() {
            index += 1;
        }
        let paragraph = lines[start..index].join("\n");
        let mut offset = 0;
        for (i, span) in paragraph.split('`').enumerate() {
            if i % 2 == 1
                && let Some(command) = command(&span.replace('\n', " "))
            {
                found.push((start + paragraph[..offset].matches('\n').count() + 1, Shown::Inline, command));
            }
            offset += span.len() + 1;
        }
        if index == start {
            index += 1;
        }
    }
    found
}

/// Splits a command line as a shell would for these simple cases (double or single quotes).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ' ') => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            (_, c) => current.push(c),
        }
    }
    words.extend((!current.is_empty()).then_some(current));
    words
}

#[test]
fn every_kubectl_neo4j_command_in_the_docs_parses() {
    use clap::Parser;
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in markdown_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, shown, command) in plugin_commands(&text) {
            let argv: Vec<String> = std::iter::once("kubectl-neo4j".to_owned()).chain(words(&command)).collect();
            checked += 1;
            let result = kubectl_neo4j::cli::Cli::try_parse_from(&argv);
            // Prose may name a verb without its arguments (`kubectl neo4j validate`): the verb must
            // exist; a block shows a whole command: it must parse.
            let named_only = |kind: clap::error::ErrorKind| {
                shown == Shown::Inline
                    && matches!(
                        kind,
                        clap::error::ErrorKind::MissingRequiredArgument
                            | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                            | clap::error::ErrorKind::MissingSubcommand
                    )
            };
            if let Err(err) = result
                && !named_only(err.kind())
            {
                let first = err.to_string().lines().next().unwrap_or_default().to_owned();
                failures.push(format!("{}:{line}: kubectl neo4j {command}: {first}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 30, "only {checked} commands found");
}

#[test]
fn commands_are_found_and_cut_where_the_shell_takes_over() {
    let text = "Run `kubectl neo4j status` now, or `kubectl neo4j backup\nrun`.\n\n```sh\nkubectl neo4j manifests | kubectl apply -f -\nkubectl neo4j restore create r \\\n  --cluster prod   # note\n```\n```text\n$ kubectl neo4j version\nkubectl-neo4j 0.1.0\n```\n";
    assert_eq!(
        plugin_commands(text),
        vec![
            (1, Shown::Inline, "status".to_owned()),
            (1, Shown::Inline, "backup run".to_owned()),
            (5, Shown::Block, "manifests".to_owned()),
            (6, Shown::Block, "restore create r --cluster prod".to_owned()),
            (10, Shown::Block, "version".to_owned()),
        ]
    );
    assert_eq!(words("backup create b --schedule \"0 2 * * *\""), ["backup", "create", "b", "--schedule", "0 2 * * *"]);
}
