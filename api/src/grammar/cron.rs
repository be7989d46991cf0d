//! Cron schedules as a Kubernetes CronJob accepts them: five fields (minute, hour, day of month,
//! month, day of week) or a macro.

/// Macros Kubernetes accepts in place of five fields.
pub const CRON_MACROS: [&str; 7] = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    allows_question_mark: bool,
}

const FIELDS: [Field; 5] = [
    Field { name: "minute", min: 0, max: 59, names: &[], allows_question_mark: false },
    Field { name: "hour", min: 0, max: 23, names: &[], allows_question_mark: false },
    Field { name: "day of month", min: 1, max: 31, names: &[], allows_question_mark: true },
    Field { name: "month", min: 1, max: 12, names: &MONTHS, allows_question_mark: false },
    Field { name: "day of week", min: 0, max: 6, names: &DAYS, allows_question_mark: true },
];

/// What the grammar accepts, for messages.
pub const CRON_HINT: &str = "use 5 fields (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\") or @hourly, @daily, @weekly, @monthly, @yearly";

/// Checks a schedule, saying what is wrong with it.
pub fn check_cron(schedule: &str) -> Result<(), String> {
    let trimmed = schedule.trim();
    if trimmed.starts_with("TZ=") || trimmed.starts_with("CRON_TZ=") {
        return Err(format!(
            "{schedule:?}: a time zone cannot be part of the schedule; schedules run in UTC; {CRON_HINT}"
        ));
    }
    if trimmed.starts_with('@') {
        return if CRON_MACROS.contains(&trimmed) {
            Ok(())
        } else {
            Err(format!("{schedule:?} is not a known macro; {CRON_HINT}"))
        };
    }
    let parts: Vec<&str> = trimmed.split_whitespace().collect();
    if parts.len() != 5 {
        return Err(format!("{schedule:?} has {} fields, not 5; {CRON_HINT}", parts.len()));
    }
    for (part, field) in parts.iter().zip(&FIELDS) {
        check_field(part, field)
            .map_err(|why| format!("{schedule:?}: {} field {part:?} {why}; {CRON_HINT}", field.name))?;
    }
    Ok(())
}

fn check_field(part: &str, field: &Field) -> Result<(), String> {
    for item in part.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n > 0 => {}
                _ => return Err(format!("has step {step:?}; a step is a positive number")),
            }
        }
        if range == "*" || (range == "?" && field.allows_question_mark) {
            continue;
        }
        let (low, high) = match range.split_once('-') {
            Some((low, high)) => (value(low, field)?, Some(value(high, field)?)),
            None => (value(range, field)?, None),
        };
        if let Some(high) = high
            && high < low
        {
            return Err(format!("has range {range:?} that runs backwards"));
        }
    }
    Ok(())
}

fn value(text: &str, field: &Field) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    if let Some(index) = field.names.iter().position(|name| *name == upper) {
        // Month names count from 1 (JAN), day names from 0 (SUN).
        return Ok(index as u32 + field.min);
    }
    match text.parse::<u32>() {
        Ok(n) if (field.min..=field.max).contains(&n) => Ok(n),
        _ => Err(format!("is outside {}-{}", field.min, field.max)),
    }
}

/// A parsed schedule: the allowed values of each field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronSchedule {
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    days_of_week: u64,
    /// Day of month and day of week both restricted: either may match (cron's rule).
    either_day: bool,
}

fn macro_fields(schedule: &str) -> Option<&'static str> {
    match schedule {
        "@yearly" | "@annually" => Some("0 0 1 1 *"),
        "@monthly" => Some("0 0 1 * *"),
        "@weekly" => Some("0 0 * * 0"),
        "@daily" | "@midnight" => Some("0 0 * * *"),
        "@hourly" => Some("0 * * * *"),
        _ => None,
    }
}

fn bits(part: &str, field: &Field) -> Result<u64, String> {
    let mut set = 0u64;
    for item in part.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().map_err(|_| format!("bad step in {item:?}"))?.max(1)),
            None => (item, 1),
        };
        let (low, high) = if range == "*" || range == "?" {
            (field.min, field.max)
        } else if let Some((low, high)) = range.split_once('-') {
            (value(low, field)?, value(high, field)?)
        } else {
            let single = value(range, field)?;
            (single, if item.contains('/') { field.max } else { single })
        };
        let mut v = low;
        while v <= high {
            set |= 1 << v;
            v += step;
        }
    }
    Ok(set)
}

impl CronSchedule {
    /// Parses a schedule that [`check_cron`] accepts.
    pub fn parse(schedule: &str) -> Result<Self, String> {
        check_cron(schedule)?;
        let trimmed = schedule.trim();
        let fields = macro_fields(trimmed).unwrap_or(trimmed);
        let parts: Vec<&str> = fields.split_whitespace().collect();
        let restricted = |part: &str| !(part == "*" || part == "?");
        Ok(Self {
            minutes: bits(parts[0], &FIELDS[0])?,
            hours: bits(parts[1], &FIELDS[1])?,
            days_of_month: bits(parts[2], &FIELDS[2])?,
            months: bits(parts[3], &FIELDS[3])?,
            days_of_week: bits(parts[4], &FIELDS[4])?,
            either_day: restricted(parts[2]) && restricted(parts[4]),
        })
    }

    fn day_matches(&self, day: i8, weekday: i8) -> bool {
        let dom = self.days_of_month & (1 << day) != 0;
        let dow = self.days_of_week & (1 << weekday) != 0;
        if self.either_day { dom || dow } else { dom && dow }
    }

    /// The first run strictly after `after`, in UTC (searching at most five years ahead).
    pub fn next_after(&self, after: k8s_openapi::jiff::Timestamp) -> Option<k8s_openapi::jiff::Timestamp> {
        use k8s_openapi::jiff::{ToSpan, tz::TimeZone};
        let start = after.to_zoned(TimeZone::UTC).datetime();
        let mut t = start.date().at(start.hour(), start.minute(), 0, 0).checked_add(1.minute()).ok()?;
        let limit = start.checked_add(5.years()).ok()?;
        while t < limit {
            if self.months & (1 << t.month()) == 0 {
                t = t.date().first_of_month().checked_add(1.month()).ok()?.at(0, 0, 0, 0);
                continue;
            }
            if !self.day_matches(t.day(), t.date().weekday().to_sunday_zero_offset()) {
                t = t.date().checked_add(1.day()).ok()?.at(0, 0, 0, 0);
                continue;
            }
            if self.hours & (1 << t.hour()) == 0 {
                t = t.date().at(t.hour(), 0, 0, 0).checked_add(1.hour()).ok()?;
                continue;
            }
            if self.minutes & (1 << t.minute()) == 0 {
                t = t.checked_add(1.minute()).ok()?;
                continue;
            }
            return t.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp());
        }
        None
    }

    /// The longest time between two runs from `from` on, in seconds: over at most 4,000 runs
    /// or 400 days, enough to see a daily, weekly, monthly or yearly pause even in a schedule that
    /// runs every minute for part of the day (its 4,000 runs span more than one pause).
    pub fn longest_gap(&self, from: k8s_openapi::jiff::Timestamp) -> Option<i64> {
        let limit = from.checked_add(k8s_openapi::jiff::SignedDuration::from_hours(400 * 24)).ok()?;
        let mut previous = self.next_after(from)?;
        let mut longest = 0;
        for _ in 0..4000 {
            let Some(next) = self.next_after(previous) else { break };
            longest = longest.max(next.duration_since(previous).as_secs());
            if next > limit {
                break;
            }
            previous = next;
        }
        Some(longest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_gap_sees_nightly_weekly_and_partial_day_pauses() {
        let from: k8s_openapi::jiff::Timestamp = "2025-01-20T03:00:00Z".parse().unwrap();
        let gap = |schedule: &str| CronSchedule::parse(schedule).unwrap().longest_gap(from);
        assert_eq!(gap("0 2 * * *"), Some(86_400));
        assert_eq!(gap("*/15 * * * *"), Some(900));
        assert_eq!(gap("0 3 * * 0"), Some(7 * 86_400));
        assert_eq!(gap("0 */6 * * 1-5"), Some(2 * 86_400 + 6 * 3600), "Friday 18:00 to Monday 00:00");
        assert_eq!(gap("* 0-1 * * *"), Some(22 * 3600 + 60), "every minute from 00:00 to 01:59, then a pause");
    }

    fn next(schedule: &str, after: &str) -> String {
        let after: k8s_openapi::jiff::Timestamp = after.parse().unwrap();
        CronSchedule::parse(schedule).unwrap().next_after(after).map(|t| t.to_string()).unwrap_or_default()
    }

    #[test]
    fn next_runs() {
        assert_eq!(next("0 2 * * *", "2025-01-20T01:59:00Z"), "2025-01-20T02:00:00Z");
        assert_eq!(next("0 2 * * *", "2025-01-20T02:00:00Z"), "2025-01-21T02:00:00Z", "strictly after");
        assert_eq!(next("*/15 * * * *", "2025-01-20T10:07:30Z"), "2025-01-20T10:15:00Z");
        assert_eq!(next("0 1 * * 0", "2025-01-20T00:00:00Z"), "2025-01-26T01:00:00Z", "next Sunday");
        assert_eq!(next("@monthly", "2025-01-31T12:00:00Z"), "2025-02-01T00:00:00Z");
        assert_eq!(next("@yearly", "2025-06-01T00:00:00Z"), "2026-01-01T00:00:00Z");
        assert_eq!(next("0 0 29 2 *", "2025-03-01T00:00:00Z"), "2028-02-29T00:00:00Z", "leap days");
        assert_eq!(next("0 9 1 * MON", "2025-01-02T00:00:00Z"), "2025-01-06T09:00:00Z", "day of month OR day of week");
        assert_eq!(next("30 3 * jan,jul sun", "2025-02-01T00:00:00Z"), "2025-07-06T03:30:00Z");
        assert_eq!(next("0 0 31 2 *", "2025-01-01T00:00:00Z"), "", "never");
    }

    #[test]
    fn accepted_schedules() {
        for schedule in [
            "0 2 * * *",
            "0 1 * * 0",
            "*/15 * * * *",
            "0 0-6/2 1,15 * MON-FRI",
            "30 3 * jan,jul sun",
            "0 0 ? * *",
            "@daily",
            "@hourly",
            "@weekly",
            "@monthly",
            "@yearly",
            "@annually",
            "@midnight",
            " 0 2 * * * ",
        ] {
            assert_eq!(check_cron(schedule), Ok(()), "{schedule}");
        }
    }

    #[test]
    fn refused_schedules_say_why() {
        for (schedule, message) in [
            ("0 2 * *", "\"0 2 * *\" has 4 fields, not 5"),
            ("0 0 2 * * *", "\"0 0 2 * * *\" has 6 fields, not 5"),
            ("60 2 * * *", "\"60 2 * * *\": minute field \"60\" is outside 0-59"),
            ("0 24 * * *", "\"0 24 * * *\": hour field \"24\" is outside 0-23"),
            ("0 2 0 * *", "\"0 2 0 * *\": day of month field \"0\" is outside 1-31"),
            ("0 2 * 13 *", "\"0 2 * 13 *\": month field \"13\" is outside 1-12"),
            ("0 2 * * 7", "\"0 2 * * 7\": day of week field \"7\" is outside 0-6"),
            ("0 2 * * FUN", "\"0 2 * * FUN\": day of week field \"FUN\" is outside 0-6"),
            ("*/0 * * * *", "\"*/0 * * * *\": minute field \"*/0\" has step \"0\"; a step is a positive number"),
            ("0 9-5 * * *", "\"0 9-5 * * *\": hour field \"9-5\" has range \"9-5\" that runs backwards"),
            ("? * * * *", "\"? * * * *\": minute field \"?\" is outside 0-59"),
            ("@every 1h", "\"@every 1h\" is not a known macro"),
            (
                "TZ=UTC 0 2 * * *",
                "\"TZ=UTC 0 2 * * *\": a time zone cannot be part of the schedule; schedules run in UTC",
            ),
            ("", "\"\" has 0 fields, not 5"),
        ] {
            assert_eq!(check_cron(schedule), Err(format!("{message}; {CRON_HINT}")), "{schedule}");
        }
    }
}
