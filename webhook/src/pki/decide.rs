//! What the certificate keeper does next, decided from what the Secret and the webhook
//! configurations hold now. Pure: the keeper reads, asks [`decide`], and acts.
//!
//! A rotation never drops a request: the serving certificate is only replaced by one the API server
//! already trusts. A new CA is first added to the bundle beside the old one; the serving certificate
//! moves to it once every webhook configuration carries the new bundle; the old CA leaves the bundle
//! once it has expired and signs nothing served.

/// How long a CA is valid.
pub const CA_VALIDITY_DAYS: i64 = 5 * 365;
/// A CA with less left than this gets a successor.
pub const CA_RENEW_BEFORE_DAYS: i64 = 365;
/// How long a serving certificate is valid (never beyond its CA).
pub const LEAF_VALIDITY_DAYS: i64 = 90;
/// A serving certificate with less left than this is replaced.
pub const LEAF_RENEW_BEFORE_DAYS: i64 = 30;

const DAY: i64 = 86_400;

/// The serving certificate as the keeper found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafFacts {
    /// Expiry, seconds since the epoch.
    pub not_after: i64,
    /// Index in the bundle of the CA that signed it, if any of them did.
    pub issuer: Option<usize>,
    /// Whether it names every DNS name the Service is reached by.
    pub names_match: bool,
}

/// What the keeper found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Expiry of each CA of the bundle, oldest first (the last one signs).
    pub cas: Vec<i64>,
    /// Whether the signing key of the newest CA is there.
    pub signing_key: bool,
    /// The serving certificate, if there is one with its key.
    pub leaf: Option<LeafFacts>,
    /// Whether every webhook configuration already trusts the whole bundle.
    pub trusted: bool,
}

/// The next change to the Secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing to change.
    Keep,
    /// Start over: a new CA alone in the bundle, and a serving certificate from it (first start, or
    /// material that cannot be used).
    Fresh,
    /// Add a new CA to the bundle; the serving certificate stays until the bundle is trusted.
    AddCa,
    /// Issue a serving certificate from the newest CA.
    IssueLeaf,
    /// Remove this many expired CAs from the front of the bundle.
    DropExpired(usize),
    /// A rotation is due but waits until the webhook configurations trust the bundle.
    AwaitTrust,
}

/// The next step at `now` (seconds since the epoch).
pub fn decide(now: i64, facts: &Facts) -> Step {
    let Some(&newest) = facts.cas.last() else { return Step::Fresh };
    if !facts.signing_key || newest <= now {
        return Step::Fresh;
    }
    if newest - now < CA_RENEW_BEFORE_DAYS * DAY {
        return Step::AddCa;
    }
    let newest_index = facts.cas.len() - 1;
    let leaf = match &facts.leaf {
        Some(leaf) if leaf.not_after > now && leaf.issuer.is_some_and(|i| facts.cas[i] > now) => leaf,
        // Nothing usable is served: issuing now cannot break a working connection.
        _ => return Step::IssueLeaf,
    };
    let due =
        !leaf.names_match || leaf.not_after - now < LEAF_RENEW_BEFORE_DAYS * DAY || leaf.issuer != Some(newest_index);
    if due {
        return if facts.trusted { Step::IssueLeaf } else { Step::AwaitTrust };
    }
    let expired = facts.cas.iter().take(newest_index).take_while(|&&not_after| not_after <= now).count();
    if expired > 0 { Step::DropExpired(expired) } else { Step::Keep }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn facts(cas: &[i64], leaf: Option<(i64, Option<usize>, bool)>, trusted: bool) -> Facts {
        Facts {
            cas: cas.to_vec(),
            signing_key: true,
            leaf: leaf.map(|(not_after, issuer, names_match)| LeafFacts { not_after, issuer, names_match }),
            trusted,
        }
    }

    fn days(n: i64) -> i64 {
        NOW + n * DAY
    }

    #[test]
    fn nothing_yet_or_unusable_material_starts_over() {
        assert_eq!(decide(NOW, &facts(&[], None, false)), Step::Fresh);
        let mut no_key = facts(&[days(1000)], Some((days(60), Some(0), true)), true);
        no_key.signing_key = false;
        assert_eq!(decide(NOW, &no_key), Step::Fresh);
        assert_eq!(decide(NOW, &facts(&[days(-1)], Some((days(60), Some(0), true)), true)), Step::Fresh);
    }

    #[test]
    fn a_fresh_ca_without_a_usable_leaf_issues_at_once_trusted_or_not() {
        assert_eq!(decide(NOW, &facts(&[days(1800)], None, false)), Step::IssueLeaf);
        assert_eq!(decide(NOW, &facts(&[days(1800)], Some((days(-1), Some(0), true)), false)), Step::IssueLeaf);
        assert_eq!(decide(NOW, &facts(&[days(1800)], Some((days(60), None, true)), false)), Step::IssueLeaf);
    }

    #[test]
    fn a_healthy_pair_is_kept() {
        assert_eq!(decide(NOW, &facts(&[days(1800)], Some((days(60), Some(0), true)), true)), Step::Keep);
        // Trust only matters for a rotation.
        assert_eq!(decide(NOW, &facts(&[days(1800)], Some((days(60), Some(0), true)), false)), Step::Keep);
    }

    #[test]
    fn a_leaf_near_expiry_or_with_wrong_names_is_replaced_once_trusted() {
        assert_eq!(decide(NOW, &facts(&[days(1800)], Some((days(29), Some(0), true)), true)), Step::IssueLeaf);
        assert_eq!(decide(NOW, &facts(&[days(1800)], Some((days(29), Some(0), true)), false)), Step::AwaitTrust);
        assert_eq!(decide(NOW, &facts(&[days(1800)], Some((days(60), Some(0), false)), true)), Step::IssueLeaf);
    }

    #[test]
    fn a_ca_rotation_adds_then_moves_then_drops() {
        // The CA has less than a year left: a successor joins the bundle; the leaf stays.
        assert_eq!(decide(NOW, &facts(&[days(300)], Some((days(60), Some(0), true)), true)), Step::AddCa);
        // Both CAs in the bundle, not yet injected: the leaf signed by the old one keeps serving.
        let both = [days(300), days(1825)];
        assert_eq!(decide(NOW, &facts(&both, Some((days(60), Some(0), true)), false)), Step::AwaitTrust);
        // Injected: the leaf moves to the new CA.
        assert_eq!(decide(NOW, &facts(&both, Some((days(60), Some(0), true)), true)), Step::IssueLeaf);
        // The old CA still valid: kept in the bundle.
        assert_eq!(decide(NOW, &facts(&both, Some((days(90), Some(1), true)), true)), Step::Keep);
        // Expired: dropped.
        let later = days(301);
        assert_eq!(decide(later, &facts(&both, Some((days(390), Some(1), true)), true)), Step::DropExpired(1));
    }
}
