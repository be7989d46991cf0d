#!/usr/bin/env python3
"""AdmissionReviews for docs/benchmarks.md ("Webhook: the largest reviews"): bodies at both bounds at once: just under 3.5 MiB and under 20,000 JSON values, of the shapes
that cost the review most; and dense bodies over the value bound (refused unread). Usage: webhook-large-bodies.py DIR"""
import json, sys

MAX = 3 * 1024 * 1024 + 512 * 1024 - 1024
out = sys.argv[1]  # a directory

def compact(v):
    return json.dumps(v, separators=(",", ":"))

def review(obj, op="CREATE", old=None):
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "u-1", "kind": {"group": "neo4j.neo4j.com", "version": "v1alpha1", "kind": obj["kind"]},
        "resource": {"group": "neo4j.neo4j.com", "version": "v1alpha1", "resource": "x"},
        "operation": op, "namespace": "neo4j", "name": obj["metadata"]["name"], "object": obj, "oldObject": old,
        "dryRun": False, "userInfo": {"username": "alice", "groups": ["system:authenticated"]}}}

def backup(args):
    return {"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jBackup", "metadata": {"name": "nightly", "namespace": "neo4j"},
            "spec": {"target": {"kind": "Cluster", "name": "prod"}, "storage": {"type": "s3", "bucket": "b-1"}, "options": {"additionalArgs": args}}}

def cluster(rules):
    return {"apiVersion": "neo4j.neo4j.com/v1alpha1", "kind": "Neo4jEnterpriseCluster", "metadata": {"name": "prod", "namespace": "neo4j"},
            "spec": {"image": {"tag": "5.26.0-enterprise"}, "topology": {"servers": 3}, "pointInTimeRecovery": {"enabled": True,
                     "logShipping": {"enabled": True, "interval": "30s", "rules": rules}}}}

def write(name, body):
    data = compact(body).encode()
    assert len(data) <= MAX + 1024, (name, len(data))
    open(f"{out}/{name}.json", "wb").write(data)
    print(name, len(data))

def strings(count, budget, prefix=""):
    size = (budget - 600) // count - 3
    return [prefix + "a" * (size - len(prefix))] * count

n = 19_900
write("args-19900-strings", review(backup(strings(n, MAX))))
write("args-19900-flags", review(backup(strings(n, MAX, "--"))))
write("args-1-string", review(backup(strings(1, MAX))))
write("rules-6600", review(cluster([{"pattern": "a" * ((MAX - 600) // 6600 - 40), "level": "INFO"}] * 6600)))
half = backup(strings(n // 2, MAX // 2))
write("update-2x9950-strings", review(half, "UPDATE", backup(strings(n // 2, MAX // 2 - 100, "b"))))
write("numbers-over-cap", review(backup([0] * ((MAX - 600) // 2))))
write("letters-over-cap", review(backup(["a"] * ((MAX - 600) // 4))))
write("empty-rules-over-cap", review(cluster([{}] * ((MAX - 600) // 3))))
