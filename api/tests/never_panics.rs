//! Arbitrary input never panics `defaults` or `validate`: random JSON, random JSON dressed as each
//! kind, and the seed examples with random values grafted in at random places.

use neo4j_api::review::review;
use neo4j_api::rules::{Context, TargetFacts};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const KINDS: [&str; 4] = ["Neo4jBackup", "Neo4jRestore", "Neo4jEnterpriseCluster", "Neo4jEnterpriseStandalone"];

/// Keys the rules look at, so random objects reach deep into the rules.
const KEYS: [&str; 32] = [
    "spec",
    "target",
    "kind",
    "name",
    "clusterRef",
    "namespace",
    "storage",
    "type",
    "bucket",
    "path",
    "cloud",
    "provider",
    "credentialsSecretRef",
    "identity",
    "autoCreate",
    "pvc",
    "size",
    "options",
    "backupType",
    "additionalArgs",
    "schedule",
    "retention",
    "maxAge",
    "maxCount",
    "source",
    "pitr",
    "baseBackup",
    "pointInTime",
    "compression",
    "level",
    "pointInTimeRecovery",
    "logShipping",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "[ -~]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "s3",
            "gcs",
            "azure",
            "pvc",
            "pitr",
            "backup",
            "FULL",
            "DIFF",
            "Cluster",
            "Database",
            "30s",
            "7d",
            "0 2 * * *",
            "5.26.0-enterprise",
            "2025-01-04T12:30:00Z",
            "--verbose",
            "..",
            "true"
        ])
        .prop_map(|s| json!(s)),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..6).prop_map(|pairs| Value::Object(
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>()
            )),
        ]
    })
}

fn contexts() -> Vec<Context<'static>> {
    let target = |tag: &str, servers| TargetFacts {
        image_tag: Some(tag.to_owned()),
        servers: Some(servers),
        ..Default::default()
    };
    vec![
        Context::default(),
        Context {
            target: Some(target("2025.04.0-enterprise", 3)),
            now: "2025-06-01T00:00:00Z".parse().ok(),
            may_read_target_namespace: Some(false),
            ..Context::default()
        },
        Context { target: Some(target("garbage", -1)), ..Context::default() },
    ]
}

fn review_everything(old: Option<&Value>, new: &Value) {
    for ctx in contexts() {
        if let Some(review) = review(old, new, &ctx) {
            // The patch must apply to the object it was made for.
            let mut patched = new.clone();
            json_patch::patch(&mut patched, &review.patch).expect("defaults apply to their own object");
        }
    }
}

fn seeds() -> Vec<Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/seeds");
    let mut seeds = Vec::new();
    for entry in std::fs::read_dir(dir).expect("seed fixtures").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("read seed");
            seeds.push(serde_saphyr::from_str(&text).expect("seed YAML"));
        }
    }
    seeds
}

/// Replaces the node at a pseudo-random place of `target` with `graft`.
fn graft_at(target: &mut Value, mut choice: usize, graft: Value) {
    let mut node = target;
    loop {
        let children: Vec<String> = match node {
            Value::Object(map) => map.keys().cloned().collect(),
            Value::Array(items) => (0..items.len()).map(|i| i.to_string()).collect(),
            _ => Vec::new(),
        };
        if children.is_empty() || choice.is_multiple_of(4) {
            *node = graft;
            return;
        }
        let key = &children[choice % children.len()];
        choice /= 3;
        node = match node {
            Value::Object(map) => map.get_mut(key).expect("a key of the map"),
            Value::Array(items) => &mut items[key.parse::<usize>().expect("an index")],
            _ => return,
        };
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_objects_of_each_kind(kind in prop::sample::select(KINDS.to_vec()), body in value(), old in value()) {
        let mut object = json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": kind});
        if let (Value::Object(target), Value::Object(extra)) = (&mut object, body) {
            target.extend(extra);
        }
        let mut old_object = object.clone();
        old_object["spec"] = old;
        review_everything(Some(&old_object), &object);
        review_everything(None, &object);
    }

    #[test]
    fn seeds_with_random_grafts(index in any::<prop::sample::Index>(), choice in any::<usize>(), graft in value()) {
        let seeds = seeds();
        let original = index.get(&seeds).clone();
        let mut mutated = original.clone();
        graft_at(&mut mutated, choice, graft);
        review_everything(Some(&original), &mutated);
        review_everything(None, &mutated);
    }
}
