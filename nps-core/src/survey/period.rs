//! Calendar periods (UTC) that timestamps are bucketed into for trends.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};

const SECONDS_PER_DAY: i64 = 86_400;

/// The length of a trend period. Weeks are ISO weeks (Monday to Sunday); every period is
/// in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// A calendar day.
    Day,
    /// An ISO week, starting on Monday.
    Week,
    /// A calendar month (the default).
    #[default]
    Month,
    /// A calendar quarter.
    Quarter,
}

impl FromStr for Period {
    type Err = NpsError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            "quarter" => Ok(Period::Quarter),
            _ => Err(NpsError::unknown("period", s, &["day", "week", "month", "quarter"])),
        }
    }
}

impl Period {
    /// The period's name.
    pub fn name(&self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }

    /// The period that contains `timestamp` (seconds since the Unix epoch, UTC).
    pub fn key(&self, timestamp: i64) -> PeriodKey {
        let days = timestamp.div_euclid(SECONDS_PER_DAY);
        let start_day = match self {
            Period::Day => days,
            Period::Week => days - (days + 3).rem_euclid(7), // 1970-01-01 was a Thursday
            Period::Month => {
                let (y, m, _) = civil_from_days(days);
                days_from_civil(y, m, 1)
            }
            Period::Quarter => {
                let (y, m, _) = civil_from_days(days);
                days_from_civil(y, (m - 1) / 3 * 3 + 1, 1)
            }
        };
        PeriodKey { period: *self, start: start_day * SECONDS_PER_DAY }
    }
}

/// One period: its kind and its first second (Unix seconds, UTC). Orders by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PeriodKey {
    /// The kind of period.
    pub period: Period,
    /// Its first second since the Unix epoch (UTC).
    pub start: i64,
}

impl PeriodKey {
    /// A readable label: `2026-03-05`, `2026-W10` (ISO week), `2026-03`, `2026-Q1`.
    pub fn label(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for PeriodKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.start.div_euclid(SECONDS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        match self.period {
            Period::Day => write!(f, "{y:04}-{m:02}-{d:02}"),
            Period::Month => write!(f, "{y:04}-{m:02}"),
            Period::Quarter => write!(f, "{y:04}-Q{}", (m - 1) / 3 + 1),
            Period::Week => {
                // The ISO week belongs to the year of its Thursday.
                let thursday = days + 3;
                let (ty, _, _) = civil_from_days(thursday);
                let week = (thursday - days_from_civil(ty, 1, 1)) / 7 + 1;
                write!(f, "{ty:04}-W{week:02}")
            }
        }
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i64, m: i64, d: i64) -> i64 {
        days_from_civil(y, m, d) * SECONDS_PER_DAY
    }

    #[test]
    fn calendar_round_trip() {
        for z in -800_000..800_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn labels() {
        let t = ts(2026, 11, 22) + 3_600 * 23 + 59;
        assert_eq!(Period::Day.key(t).label(), "2026-11-22");
        assert_eq!(Period::Month.key(t).label(), "2026-11");
        assert_eq!(Period::Quarter.key(t).label(), "2026-Q4");
        // 2026-11-22 is a Sunday: its ISO week starts on Monday the 16th.
        assert_eq!(Period::Week.key(t).start, ts(2026, 11, 16));
        assert_eq!(Period::Week.key(t).label(), "2026-W47");
        // ISO week-year boundaries: 2024-12-30 is in 2025-W01; 2021-01-03 in 2020-W53.
        assert_eq!(Period::Week.key(ts(2024, 12, 31)).label(), "2025-W01");
        assert_eq!(Period::Week.key(ts(2021, 1, 3)).label(), "2020-W53");
        // Before the epoch.
        assert_eq!(Period::Month.key(-1).label(), "1969-12");
        assert_eq!(Period::Quarter.key(ts(2026, 6, 30)).start, ts(2026, 4, 1));
    }
}
