//! Validate, then promote (issue 15, item 2; seed 002's RECOVERING -> VALIDATION ->
//! RECOVERY_SUCCESS -> PROMOTED, or RECOVERY_FAILED): the restore writes a new candidate database
//! while the live one keeps serving, the health checks run on it, and only then is the alias
//! applications use switched to it. Pure steps of the restore machine.
//!
//! The alias is read before anything is restored and recorded in `progress.promotion`: where it
//! points then is the database the promotion replaces (and may later drop); an alias changed by
//! someone else meanwhile is never switched over their change.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use crate::grammar::duration::parse_duration;
use crate::restore::machine::{Action, Cypher, Decision, Inputs, decision, end, fail, step};
use crate::restore::observed::Alias;
use crate::types::{
    CandidateOnFailure, Neo4jRestore, PROMOTE_ANNOTATION, PromotionProgress, RestorePhase, RestoreProgress, RestoreStep,
};

/// What the alias's first reading means: the progress to record, or why to wait or refuse.
pub(crate) enum Reading {
    /// Record this.
    Record(PromotionProgress),
    /// Ask again.
    Wait(String),
    /// The restore cannot promote; why.
    Refuse(String),
}

/// The alias as read before the restore: its target is the previous database; a database of that
/// name means applications use it directly, and an alias cannot take its name.
pub(crate) fn read(alias: &str, observed: &Alias) -> Reading {
    match observed {
        Alias::Unknown => Reading::Wait(format!("asking the target where the alias {alias} points")),
        Alias::Unreachable(why) => Reading::Wait(format!("waiting to reach the target over Bolt: {why}")),
        Alias::Absent => Reading::Record(PromotionProgress::default()),
        Alias::Points(database) => {
            Reading::Record(PromotionProgress { previous: Some(database.clone()), ..PromotionProgress::default() })
        }
        Alias::Remote(to) => Reading::Refuse(format!(
            "promotion.alias {alias:?} is a remote alias (to {to}): a local alias cannot be made of it (Neo4j alters local aliases to local targets only); name a local alias"
        )),
        Alias::IsADatabase => Reading::Refuse(format!(
            "promotion.alias {alias:?} is the name of a database: applications use it directly, and an alias cannot share a database's name; create an alias for it first (CREATE ALIAS `{alias}-live` FOR DATABASE `{alias}`), point the applications at that alias, and name it in promotion.alias"
        )),
    }
}

fn alias_of(restore: &Neo4jRestore) -> String {
    restore.spec.promotion_alias().unwrap_or_default().to_owned()
}

fn automatic(restore: &Neo4jRestore) -> bool {
    restore.spec.promotion.as_ref().and_then(|p| p.automatic) != Some(false)
}

/// Whether `kubectl neo4j restore promote` asked for the switch.
pub fn requested(restore: &Neo4jRestore) -> bool {
    restore.metadata.annotations.as_ref().and_then(|a| a.get(PROMOTE_ANNOTATION)).map(String::as_str) == Some("true")
}

/// After the checks passed (`message` says how): promote at once, or wait for the user.
pub(crate) fn passed(inputs: &Inputs, progress: RestoreProgress, message: String) -> Decision {
    let restore = inputs.restore;
    let (alias, candidate) = (alias_of(restore), restore.spec.database_name.clone().unwrap_or_default());
    if automatic(restore) || inputs.observed.promote_requested {
        let message = format!("{message}; switching the alias {alias} to {candidate}");
        return decision(RestorePhase::Running, message, step(&progress, RestoreStep::Promoting), vec![]);
    }
    let name = restore.metadata.name.clone().unwrap_or_default();
    let message = format!(
        "{message}; the candidate {candidate} waits for `kubectl neo4j restore promote {name}` to switch the alias {alias} to it"
    );
    decision(RestorePhase::Running, message, step(&progress, RestoreStep::AwaitingPromotion), vec![])
}

/// Waiting for the user (`promotion.automatic: false`): never timed out.
pub(crate) fn awaiting(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    if inputs.observed.promote_requested {
        let alias = alias_of(inputs.restore);
        let message = format!("promotion asked for; switching the alias {alias}");
        return decision(RestorePhase::Running, message, step(&progress, RestoreStep::Promoting), vec![]);
    }
    let message = inputs.restore.status.as_ref().and_then(|s| s.message.clone()).unwrap_or_default();
    decision(RestorePhase::Running, message, progress, vec![])
}

/// Switching the alias, then seeing it point at the candidate.
pub(crate) fn promoting(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    let Inputs { restore, observed, .. } = *inputs;
    let (alias, candidate) = (alias_of(restore), restore.spec.database_name.clone().unwrap_or_default());
    let recorded = progress.promotion.clone().unwrap_or_default();
    let previous = recorded.previous.clone();
    match &observed.alias {
        Alias::Points(target) if target.eq_ignore_ascii_case(&candidate) => {
            let mut progress = progress;
            let promotion = progress.promotion.get_or_insert_with(PromotionProgress::default);
            // The controller always observes the present moment; without it nothing is made up.
            if let Some(now) = observed.now {
                promotion.promoted_at.get_or_insert(Time(now));
            }
            let was = match &previous {
                Some(previous) => format!("; it pointed at {previous}, which is kept"),
                None => " (created)".to_owned(),
            };
            if let (Some(previous), Some(after)) = (&previous, drop_after(restore)) {
                let message = format!(
                    "promoted: the alias {alias} points at {candidate}; {previous} is dropped {after} after the switch"
                );
                return decision(
                    RestorePhase::Completed,
                    message,
                    step(&progress, RestoreStep::RetiringPrevious),
                    vec![],
                );
            }
            end(
                RestorePhase::Completed,
                format!("promoted: the alias {alias} points at {candidate}{was}"),
                progress,
                vec![],
            )
        }
        Alias::Points(target) if previous.as_deref().is_none_or(|p| !p.eq_ignore_ascii_case(target)) => {
            let was = previous.map(|p| format!("it pointed at {p}")).unwrap_or_else(|| "it did not exist".to_owned());
            let reason = format!(
                "the alias {alias} was changed meanwhile: it points at {target}, {was} when the restore started; it is not switched over that change, and {candidate} is kept: switch it by hand if it should serve"
            );
            fail(&progress, observed, reason)
        }
        Alias::Points(_) => {
            let action = Action::Cypher(Cypher::Promote { alias: alias.clone(), create: false });
            decision(
                RestorePhase::Running,
                format!("switching the alias {alias} to {candidate}"),
                progress,
                vec![action],
            )
        }
        Alias::Absent if previous.is_none() => {
            let action = Action::Cypher(Cypher::Promote { alias: alias.clone(), create: true });
            decision(
                RestorePhase::Running,
                format!("creating the alias {alias} for {candidate}"),
                progress,
                vec![action],
            )
        }
        Alias::Absent => {
            let reason = format!(
                "the alias {alias} was dropped meanwhile (it pointed at {} when the restore started); it is not created again, and {candidate} is kept",
                previous.unwrap_or_default()
            );
            fail(&progress, observed, reason)
        }
        Alias::IsADatabase | Alias::Remote(_) => fail(
            &progress,
            observed,
            format!(
                "the alias {alias} was replaced meanwhile (by a database or a remote alias); it cannot be switched, and {candidate} is kept"
            ),
        ),
        Alias::Unreachable(why) => {
            decision(RestorePhase::Running, format!("waiting to reach the target over Bolt: {why}"), progress, vec![])
        }
        Alias::Unknown => decision(
            RestorePhase::Running,
            format!("asking the target where the alias {alias} points"),
            progress,
            vec![],
        ),
    }
}

/// `promotion.dropPreviousAfter`, as written and in seconds.
fn drop_after(restore: &Neo4jRestore) -> Option<&str> {
    let text = restore.spec.promotion.as_ref()?.drop_previous_after.as_deref()?;
    parse_duration(text).ok().map(|_| text)
}

/// When the previous database is to be dropped: `dropPreviousAfter` after the switch.
pub fn retire_at(restore: &Neo4jRestore, progress: &RestoreProgress) -> Option<Timestamp> {
    let after = parse_duration(drop_after(restore)?).ok()?;
    let promoted = progress.promotion.as_ref()?.promoted_at.as_ref()?.0;
    promoted.checked_add(k8s_openapi::jiff::SignedDuration::from_secs(i64::try_from(after).ok()?)).ok()
}

/// Whether the previous database is due to be dropped: the grace period passed (never without
/// knowing when the switch was and what time it is).
pub fn retire_due(restore: &Neo4jRestore, progress: &RestoreProgress, now: Option<Timestamp>) -> bool {
    matches!((retire_at(restore, progress), now), (Some(at), Some(now)) if now >= at)
}

/// The grace period, then `DROP DATABASE` of the previous database, once the alias is seen still
/// pointing at the candidate (someone who pointed it back meanwhile keeps what it serves).
pub(crate) fn retiring(inputs: &Inputs, progress: RestoreProgress) -> Decision {
    let Inputs { restore, observed, .. } = *inputs;
    let previous = progress.promotion.as_ref().and_then(|p| p.previous.clone()).unwrap_or_default();
    let message = restore.status.as_ref().and_then(|s| s.message.clone()).unwrap_or_default();
    if !retire_due(restore, &progress, observed.now) {
        return decision(RestorePhase::Completed, message, progress, vec![]);
    }
    let (alias, candidate) = (alias_of(restore), restore.spec.database_name.clone().unwrap_or_default());
    match &observed.alias {
        Alias::Points(target) if target.eq_ignore_ascii_case(&candidate) => {
            let mut progress = progress;
            if let Some(promotion) = progress.promotion.as_mut() {
                promotion.previous_dropped = Some(true);
            }
            let message = format!(
                "promoted: the alias {alias} points at {candidate}; the previous database {previous} was dropped"
            );
            end(RestorePhase::Completed, message, progress, vec![Action::Cypher(Cypher::DropPrevious(previous))])
        }
        Alias::Unknown | Alias::Unreachable(_) => decision(RestorePhase::Completed, message, progress, vec![]),
        _ => {
            let message = format!(
                "promoted, but the alias {alias} no longer points at {candidate}: the previous database {previous} is not dropped"
            );
            end(RestorePhase::Completed, message, progress, vec![])
        }
    }
}

/// What a failed check leaves, for the message: the live database and the alias untouched; the
/// candidate kept for inspection, or dropped, as `onFailure` says.
pub(crate) fn rejected(restore: &Neo4jRestore) -> String {
    let alias = alias_of(restore);
    let candidate = restore.spec.database_name.clone().unwrap_or_default();
    let fate = if drops_rejected(restore) { "is dropped" } else { "is kept for inspection" };
    format!("the alias {alias} and the database it serves are untouched; the candidate {candidate} {fate}")
}

/// Whether a candidate that failed its checks is dropped (`onFailure: Drop`).
pub(crate) fn drops_rejected(restore: &Neo4jRestore) -> bool {
    restore.spec.promotion.as_ref().and_then(|p| p.on_failure.clone()) == Some(CandidateOnFailure::Drop)
}

/// After the failed checks were recorded (at step `Checking`): the candidate's `DROP DATABASE`,
/// then `Failed` with the checks' verdict. A failed drop keeps the verdict and is tried again.
pub(crate) fn drop_rejected(restore: &Neo4jRestore, progress: &RestoreProgress, reason: &str) -> Option<Decision> {
    let promotion = progress.promotion.as_ref()?;
    let pending = progress.step == Some(RestoreStep::Checking)
        && promotion.promoted_at.is_none()
        && promotion.candidate_dropped != Some(true)
        && drops_rejected(restore);
    if !pending {
        return None;
    }
    let mut progress = progress.clone();
    if let Some(promotion) = progress.promotion.as_mut() {
        promotion.candidate_dropped = Some(true);
    }
    Some(end(RestorePhase::Failed, reason.to_owned(), progress, vec![Action::Cypher(Cypher::Drop)]))
}

/// A failure once the alias was switched does not undo the promotion: the restore is `Completed`,
/// its message saying what went wrong after (a failed drop of the previous database names it, to
/// be dropped by hand).
pub(crate) fn stands(progress: &RestoreProgress, reason: &str) -> Option<Decision> {
    let promotion = progress.promotion.as_ref()?;
    promotion.promoted_at.as_ref()?;
    let message = match (&progress.step, &promotion.previous) {
        (Some(RestoreStep::RetiringPrevious), Some(previous)) => format!(
            "promoted, but dropping the previous database {previous} failed: {reason}; drop it by hand once nothing uses it"
        ),
        _ => format!("promoted: the alias points at the candidate; afterwards: {reason}"),
    };
    Some(end(RestorePhase::Completed, message, progress.clone(), vec![]))
}

/// What a failure before the switch adds to its message.
pub(crate) fn unswitched(progress: &RestoreProgress) -> Option<&'static str> {
    let promotion = progress.promotion.as_ref()?;
    promotion.promoted_at.is_none().then_some("the alias was not switched: the database it serves is untouched")
}

/// Whether `kubectl neo4j restore promote` may ask for the switch of `restore` now: it promotes,
/// by hand, and has neither switched nor ended. Asked before the checks ended, the switch comes as
/// soon as they pass.
pub fn may_promote(restore: &Neo4jRestore) -> Result<(), String> {
    let name = restore.metadata.name.clone().unwrap_or_default();
    let Some(alias) = restore.spec.promotion_alias() else {
        return Err(format!(
            "neo4jrestore {name:?} has no spec.promotion: it restores into {} and promotes nothing",
            restore.spec.database_name.as_deref().unwrap_or_default()
        ));
    };
    if automatic(restore) {
        return Err(format!(
            "neo4jrestore {name:?} promotes by itself once its checks pass (promotion.automatic is not false); nothing to ask"
        ));
    }
    let status = restore.status.as_ref();
    let progress = status.and_then(|s| s.progress.as_ref());
    if progress.and_then(|p| p.promotion.as_ref()).is_some_and(|p| p.promoted_at.is_some()) {
        return Err(format!("neo4jrestore {name:?} has already switched the alias {alias}"));
    }
    let step = progress.and_then(|p| p.step.clone());
    let phase = status.and_then(|s| s.phase.clone());
    match (phase, step) {
        (Some(RestorePhase::Failed), _) => {
            Err(format!("neo4jrestore {name:?} failed; the alias {alias} was not switched and will not be"))
        }
        (_, Some(RestoreStep::Promoting | RestoreStep::RetiringPrevious | RestoreStep::Done)) => {
            Err(format!("neo4jrestore {name:?} has already switched the alias {alias}"))
        }
        _ => Ok(()),
    }
}
