//! The optional PrometheusRule bundle (issue 14, item 4; seed 000's "Recovery Metrics"): every
//! expression parses as PromQL (with promql-parser, the parser GreptimeDB uses) and names only
//! metrics the controller exports, so a renamed metric cannot leave an alert that never fires.

use std::collections::BTreeSet;

use neo4j_tests::fixtures::{workspace_root, yaml_document};
use promql_parser::parser::{Expr, parse};
use promql_parser::util::{ExprVisitor, walk_expr};

/// The metric names a PromQL expression selects.
struct Selected(BTreeSet<String>);

impl ExprVisitor for Selected {
    type Error = String;

    fn pre_visit(&mut self, expr: &Expr) -> Result<bool, String> {
        let selector = match expr {
            Expr::VectorSelector(vs) => Some(vs),
            Expr::MatrixSelector(ms) => Some(&ms.vs),
            _ => None,
        };
        if let Some(name) = selector.and_then(|vs| vs.name.clone()) {
            self.0.insert(name);
        }
        Ok(true)
    }
}

/// A histogram is exported as `<name>_bucket`, `_sum` and `_count`.
fn exported(name: &str) -> bool {
    let base = ["_bucket", "_sum", "_count"].iter().find_map(|suffix| name.strip_suffix(suffix)).unwrap_or(name);
    neo4j_controller::metrics::EXPORTED.contains(&name) || neo4j_controller::metrics::EXPORTED.contains(&base)
}

#[test]
fn every_expression_parses_and_names_exported_metrics() {
    let rule = yaml_document(&workspace_root().join("manifests/monitoring/prometheus-rule.yaml"));
    assert_eq!(rule["kind"], "PrometheusRule");
    let mut seen = Vec::new();
    for group in rule["spec"]["groups"].as_array().expect("groups") {
        for rule in group["rules"].as_array().expect("rules") {
            let name = rule["record"].as_str().or(rule["alert"].as_str()).expect("record or alert").to_owned();
            let expr = rule["expr"].as_str().expect("expr");
            let parsed = parse(expr).unwrap_or_else(|err| panic!("{name}: {expr:?} is not PromQL: {err}"));
            let mut selected = Selected(BTreeSet::new());
            walk_expr(&mut selected, &parsed).expect("walked");
            assert!(!selected.0.is_empty(), "{name} selects no metric");
            for metric in &selected.0 {
                assert!(exported(metric), "{name} uses {metric}, which the controller does not export");
            }
            seen.push(name);
        }
    }
    // Seed 000's two recording rules and its alert, exactly as named there.
    for name in ["neo4j:pitr_log_shipping_rate", "neo4j:pitr_recovery_time", "Neo4jPITRLogShippingLag"] {
        assert!(seen.iter().any(|s| s == name), "{name} missing from {seen:?}");
    }
}

#[test]
fn an_unexported_metric_or_bad_promql_is_caught() {
    assert!(parse("rate(neo4j_pitr_logs_shipped_total[5m]").is_err(), "unbalanced");
    let mut selected = Selected(BTreeSet::new());
    walk_expr(&mut selected, &parse("neo4j_pitr_lag_seconds > 300").unwrap()).unwrap();
    assert!(!exported(selected.0.first().unwrap()), "a renamed metric is not exported");
    assert!(exported("neo4j_pitr_recovery_duration_seconds_bucket"));
}
