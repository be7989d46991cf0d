//! The plugin's online verbs against a real API server (through the library functions the
//! binary calls): create what `backup create` composes, list it, describe it, and watch a restore
//! that no controller drives until the wait gives up.

use std::time::Duration;

use kubectl_neo4j::compose::{BackupFlags, RestoreFlags, StorageFlags, backup, finish, restore};
use kubectl_neo4j::online::act::{Pace, create, no_controller_hint, watch};
use kubectl_neo4j::online::inspect::describe_backup;
use kubectl_neo4j::online::list::{Output, Scope, show};
use neo4j_api::{Neo4jBackup, Neo4jRestore};

use crate::support::{client, in_namespace, install_crds};

#[tokio::test]
#[ignore = "needs a cluster: KUBECONFIG"]
async fn e2e_plugin_create_list_describe_and_watch() {
    let client = client().await;
    let _cluster = install_crds(&client).await;
    let inner = client.clone();
    in_namespace(&client, "plugin", move |ns| async move {
        let client = inner;
        let flags = BackupFlags {
            name: "nightly".into(),
            cluster: "prod".into(),
            database: None,
            schedule: Some("0 2 * * *".into()),
            storage: StorageFlags { pvc: Some("backups".into()), ..StorageFlags::default() },
            credentials: Default::default(),
            backup_type: None,
            retention_count: Some(7),
            retention_age: None,
        };
        let (object, _) = finish(backup(&flags, &ns).expect("composes")).expect("valid");
        let said = create::<Neo4jBackup>(&client, &ns, object.clone()).await.expect("created");
        assert_eq!(said, "neo4jbackup.neo4j.neo4j.com/nightly created\n");
        let again = create::<Neo4jBackup>(&client, &ns, object).await.unwrap_err();
        assert!(again.contains("already exists"), "{again}");

        let now = k8s_openapi::jiff::Timestamp::now();
        let table =
            show::<Neo4jBackup>(&client, &Scope::Namespace(ns.clone()), None, Output::Table, now).await.expect("list");
        assert!(table.starts_with("NAME      TARGET   STORAGE       SCHEDULE    PHASE"), "{table}");
        assert!(table.contains("nightly   prod     pvc/backups   0 2 * * *"), "{table}");
        let described = describe_backup(&client, &ns, "nightly", now).await.expect("describe");
        assert!(described.contains("Name:        nightly\n") && described.contains("maxCount: 7"), "{described}");

        let restore_flags = RestoreFlags {
            name: Some("back".into()),
            cluster: Some("prod".into()),
            database: Some("orders-copy".into()),
            from_backup: Some("nightly".into()),
            from_storage: None,
            storage: StorageFlags::default(),
            credentials: Default::default(),
            backup_path: None,
            point_in_time: None,
            stop_cluster: false,
            force: false,
            verify: false,
            timeout: None,
            promote_alias: None,
            promote_by_hand: false,
        };
        let (object, _) = finish(restore(&restore_flags, &ns).expect("composes")).expect("valid");
        create::<Neo4jRestore>(&client, &ns, object).await.expect("created");
        let mut lines = Vec::new();
        let pace =
            Pace { timeout: Duration::from_secs(3), poll: Duration::from_millis(500), quiet: Duration::from_secs(1) };
        let waited = watch::<Neo4jRestore>(&client, &ns, "back", pace, |l| lines.push(l.to_owned())).await;
        // No controller runs in this test: the wait says so, then gives up.
        assert!(waited.unwrap_err().starts_with("gave up waiting after 3s"), "{lines:?}");
        assert_eq!(lines.first().map(String::as_str), Some("Pending: no controller has acted on it yet"), "{lines:?}");
        assert_eq!(
            lines.get(1),
            Some(&no_controller_hint("Neo4jRestore", "back", Duration::from_secs(1))),
            "{lines:?}"
        );
    })
    .await;
}
