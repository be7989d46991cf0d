//! Output for people: aligned columns and relative times, like kubectl's tables.

use k8s_openapi::jiff::Timestamp;

/// `3h ago`-style ages: `45s`, `12m`, `3h`, `5d` (as kubectl's AGE column, without "ago").
pub fn age(then: Timestamp, now: Timestamp) -> String {
    let seconds = now.duration_since(then).as_secs().max(0);
    match seconds {
        s if s < 120 => format!("{s}s"),
        s if s < 2 * 3600 => format!("{}m", s / 60),
        s if s < 2 * 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// `3h ago`, or `-` when there is no time.
pub fn ago(then: Option<Timestamp>, now: Timestamp) -> String {
    then.map_or_else(|| "-".to_owned(), |t| format!("{} ago", age(t, now)))
}

/// Renders rows under `header`, each column as wide as its widest cell, separated by 3 spaces.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            out.push_str(cell);
            if i < last {
                out.push_str(&" ".repeat(widths[i] - cell.chars().count() + 3));
            }
        }
        let mut out = out.trim_end().to_owned();
        out.push('\n');
        out
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_times_read_like_kubectl() {
        let table = render(
            &["NAME", "PHASE", "AGE"],
            &[vec!["nightly".into(), "Completed".into(), "3h".into()], vec!["x".into(), "Failed".into(), "12m".into()]],
        );
        assert_eq!(table, "NAME      PHASE       AGE\nnightly   Completed   3h\nx         Failed      12m\n");
        let now: Timestamp = "2025-01-20T12:00:00Z".parse().unwrap();
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        assert_eq!(age(at("2025-01-20T11:59:15Z"), now), "45s");
        assert_eq!(age(at("2025-01-20T11:48:00Z"), now), "12m");
        assert_eq!(age(at("2025-01-20T09:00:00Z"), now), "3h");
        assert_eq!(age(at("2025-01-15T12:00:00Z"), now), "5d");
        assert_eq!(ago(None, now), "-");
        assert_eq!(ago(Some(at("2025-01-20T09:00:00Z")), now), "3h ago");
    }
}
