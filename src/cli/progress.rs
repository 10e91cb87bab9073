//! A progress line on standard error for runs that take longer than a second, on a terminal only.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    what: String,
    total: usize,
    start: Instant,
    last: Instant,
    shown: bool,
    enabled: bool,
}

impl Progress {
    pub fn new(what: String, total: usize) -> Progress {
        let now = Instant::now();
        Progress {
            what,
            total,
            start: now,
            last: now,
            shown: false,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    pub fn update(&mut self, done: usize) {
        if !self.enabled
            || self.start.elapsed() < Duration::from_secs(1)
            || self.last.elapsed() < Duration::from_millis(100)
        {
            return;
        }
        self.last = Instant::now();
        self.shown = true;
        let percent = done * 100 / self.total.max(1);
        eprint!("\r{} {done}/{} ({percent}%)", self.what, self.total);
        let _ = std::io::stderr().flush();
    }

    pub fn finish(&self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(40));
        }
    }
}
