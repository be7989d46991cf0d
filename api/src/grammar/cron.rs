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

#[cfg(test)]
mod tests {
    use super::*;

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
