//! Rules of the targets: the Neo4j operator's Neo4jEnterpriseCluster and Neo4jEnterpriseStandalone.
//!
//! We never gate the operator's own objects for reasons of our own: an unsupported version is
//! refused only when the object enables point-in-time recovery (which needs us); otherwise it is
//! a warning that backup and restore will not work.

use crate::rules::cluster_pitr::{check_pitr, check_protected_name};
use crate::rules::{Context, FieldPath, Verdict};
use crate::types::{ImageSpec, Neo4jEnterpriseCluster, Neo4jEnterpriseStandalone, PointInTimeRecovery};
use crate::version::unsupported_tag;

/// Refuses a backup or restore whose resolved target runs an unsupported Neo4j version.
pub fn check_target_version(verdict: &mut Verdict, path: &FieldPath, ctx: &Context) {
    let Some(tag) = ctx.target.as_ref().and_then(|target| target.image_tag.as_deref()) else { return };
    if let Some(reason) = unsupported_tag(tag) {
        verdict.error(path, format!("the target runs image tag {reason}"));
    }
}

/// Judges a Neo4jEnterpriseCluster.
pub fn validate_cluster(
    _old: Option<&Neo4jEnterpriseCluster>,
    new: &Neo4jEnterpriseCluster,
    _ctx: &Context,
) -> Verdict {
    validate_target(new.metadata.name.as_deref(), &new.spec.image, &new.spec.point_in_time_recovery)
}

/// Judges a Neo4jEnterpriseStandalone.
pub fn validate_standalone(
    _old: Option<&Neo4jEnterpriseStandalone>,
    new: &Neo4jEnterpriseStandalone,
    _ctx: &Context,
) -> Verdict {
    validate_target(new.metadata.name.as_deref(), &new.spec.image, &new.spec.point_in_time_recovery)
}

fn validate_target(name: Option<&str>, image: &Option<ImageSpec>, pitr: &Option<PointInTimeRecovery>) -> Verdict {
    let mut verdict = Verdict::default();
    let spec = FieldPath::new("spec");
    let pitr_enabled = pitr.as_ref().is_some_and(|p| p.enabled == Some(true));
    let tag_path = spec.child("image").child("tag");
    if let Some(reason) = image.as_ref().and_then(|i| i.tag.as_deref()).and_then(unsupported_tag) {
        if pitr_enabled {
            verdict.error(&tag_path, format!("{reason}; point-in-time recovery cannot be enabled on it"));
        } else {
            verdict.warn(
                &tag_path,
                format!("{reason}; this object is accepted, but backups and restores of it will fail"),
            );
        }
    }
    if let Some(pitr) = pitr.as_ref().filter(|_| pitr_enabled) {
        check_protected_name(&mut verdict, name);
        check_pitr(&mut verdict, &spec.child("pointInTimeRecovery"), pitr);
    }
    verdict
}
