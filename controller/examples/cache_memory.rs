//! Memory the controller's cache needs per Neo4jBackup. kube-runtime keeps a store of the
//! reconciled kind only (Jobs and CronJobs are watched to trigger reconciles, not stored), so this
//! decodes N Neo4jBackups with a full status (20 history entries) and reports the live heap they
//! take (a counting allocator) and the growth of the resident set.
//! Run: `cargo run --release -p neo4j-controller --example cache_memory -- 1000`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use neo4j_api::Neo4jBackup;
use serde_json::json;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same layout as requested.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: ptr was allocated by System with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let history: Vec<serde_json::Value> = (0..neo4j_api::BACKUP_HISTORY_LIMIT)
        .map(|i| {
            json!({"jobName": format!("nightly-backup-2900{i:04}"), "type": "DIFF", "phase": "Succeeded",
            "startTime": "2025-01-20T02:00:00Z", "completionTime": "2025-01-20T02:05:00Z", "artifact": "s3://b/p"})
        })
        .collect();
    let conditions: Vec<serde_json::Value> = ["Ready", "BackupSuccessful", "TargetFound", "RetentionExecuted"]
        .iter()
        .map(|t| {
            json!({"type": t, "status": "True", "reason": "Found", "message": "the target exists and can be backed up",
            "lastTransitionTime": "2025-01-20T02:05:00Z", "observedGeneration": 1})
        })
        .collect();
    let documents: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            serde_json::to_vec(&json!({"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup",
                "metadata": {"name": format!("backup-{i}"), "namespace": "neo4j", "uid": format!("0b1c2d3e-0000-4000-8000-{i:012}"),
                    "resourceVersion": "123456", "generation": 1, "creationTimestamp": "2025-01-01T00:00:00Z"},
                "spec": {"target": {"kind": "Cluster", "name": "prod"}, "schedule": "0 2 * * *",
                    "storage": {"type": "s3", "bucket": "b", "path": format!("p/{i}"), "cloud": {"credentialsSecretRef": "aws"}},
                    "options": {"backupType": "DIFF", "compress": true, "verify": true, "tempPath": "/tmp/t"},
                    "retention": {"maxAge": "30d", "maxCount": 10, "deletePolicy": "Delete"}},
                "status": {"phase": "Completed", "message": "Job backup-backup-29000019 succeeded", "observedGeneration": 1,
                    "lastBackupTime": "2025-01-20T02:00:00Z", "lastSuccessfulBackupTime": "2025-01-20T02:05:00Z",
                    "nextScheduleTime": "2025-01-21T02:00:00Z", "conditions": conditions, "history": history}}))
            .unwrap()
        })
        .collect();
    let before = rss_kib();
    let live_before = LIVE.load(Ordering::Relaxed);
    let backups: Vec<Neo4jBackup> = documents.iter().map(|d| serde_json::from_slice(d).unwrap()).collect();
    let after = rss_kib();
    let live = (LIVE.load(Ordering::Relaxed) - live_before) as f64 / 1024.0;
    println!(
        "{n} Neo4jBackups (full status, {} history entries each): live heap +{live:.0} KiB ({:.1} KiB each); RSS {before} -> {after} KiB",
        neo4j_api::BACKUP_HISTORY_LIMIT,
        live / n as f64
    );
    std::hint::black_box(backups);
}
