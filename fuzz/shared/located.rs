//! The one rule for where a generated trainer's reader points: shared by the fuzz targets of its
//! readers and by the integration test that runs the same property on mutated files.

/// Whether `message` starts `FILE:LINE:COLUMN: ` with both numbers at least 1.
pub fn located(message: &str, file: &str) -> bool {
    let Some(rest) = message.strip_prefix(file).and_then(|m| m.strip_prefix(':')) else {
        return false;
    };
    let mut parts = rest.splitn(3, ':');
    let number = |part: Option<&str>| {
        part.and_then(|p| p.parse::<usize>().ok())
            .is_some_and(|n| n >= 1)
    };
    number(parts.next()) && number(parts.next()) && parts.next().is_some_and(|r| r.starts_with(' '))
}
