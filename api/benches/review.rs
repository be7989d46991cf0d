//! `defaults` + `validate` of the largest seed example, as admission does it.
//! Run: `cargo bench -p neo4j-api --bench review` (results in docs/benchmarks.md).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use neo4j_api::review::{Kind, review};
use neo4j_api::rules::{Context, TargetFacts};
use serde_json::Value;

fn largest_seed() -> (String, Value) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seed fixtures")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort_by_key(|path| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0));
    let path = files.pop().expect("at least one seed");
    let text = std::fs::read_to_string(&path).expect("read seed");
    let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    (name, serde_saphyr::from_str(&text).expect("seed YAML"))
}

fn bench(c: &mut Criterion) {
    let (name, object) = largest_seed();
    let now = "2026-01-01T00:00:00Z".parse().ok();
    let target =
        TargetFacts { image_tag: Some("2025.04.0-enterprise".to_owned()), servers: Some(3), ..Default::default() };
    let ctx = Context { target: Some(target), now, ..Context::default() };
    let kind = Kind::of(&object).expect("one of our kinds");
    c.bench_function(&format!("defaults+validate {name}"), |b| b.iter(|| review(None, black_box(&object), &ctx)));
    c.bench_function(&format!("defaults only {name}"), |b| b.iter(|| kind.defaults(black_box(&object))));
    c.bench_function(&format!("update (old+new) {name}"), |b| {
        b.iter(|| review(Some(black_box(&object)), black_box(&object), &ctx))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
