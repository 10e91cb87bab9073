//! What a run shows as it goes: the progress line on standard error and the loss log.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::Real;
use crate::words;

/// The loss of each epoch, as CSV.
pub struct Log {
    path: String,
    out: std::io::BufWriter<std::fs::File>,
}

impl Log {
    pub fn create(path: &str) -> Result<Log, String> {
        let file = std::fs::File::create(path).map_err(|e| words::cannot_write(e, path))?;
        let mut log = Log {
            path: path.to_string(),
            out: std::io::BufWriter::new(file),
        };
        log.line("epoch,loss,accuracy")?;
        Ok(log)
    }

    pub fn write(&mut self, epoch: u64, loss: Real, accuracy: Option<Real>) -> Result<(), String> {
        match accuracy {
            Some(accuracy) => self.line(&format!("{epoch},{loss:?},{accuracy:?}")),
            None => self.line(&format!("{epoch},{loss:?}")),
        }
    }

    fn line(&mut self, line: &str) -> Result<(), String> {
        writeln!(self.out, "{line}").map_err(|e| words::cannot_write(e, &self.path))
    }

    /// Writes out the lines so far.
    pub fn flush(&mut self) -> Result<(), String> {
        self.out
            .flush()
            .map_err(|e| words::cannot_write(e, &self.path))
    }
}

/// One line per epoch on standard error: redrawn in place on a terminal (at most ten times a
/// second), otherwise printed for at most a hundred epochs spread over the run.
pub struct Progress {
    epochs: u64,
    start: Instant,
    drawn: Option<Instant>,
    terminal: bool,
    quiet: bool,
}

impl Progress {
    pub fn new(epochs: u64, quiet: bool) -> Progress {
        Progress {
            epochs,
            start: Instant::now(),
            drawn: None,
            terminal: std::io::stderr().is_terminal(),
            quiet,
        }
    }

    pub fn epoch(&mut self, epoch: u64, loss: Real, accuracy: Option<Real>) {
        if self.quiet {
            return;
        }
        let last = epoch == self.epochs;
        let due = if self.terminal {
            last || self
                .drawn
                .is_none_or(|at| at.elapsed() >= Duration::from_millis(100))
        } else {
            let every = self.epochs.div_ceil(100).max(1);
            last || epoch == 1 || epoch.is_multiple_of(every)
        };
        if !due {
            return;
        }
        let elapsed = self.start.elapsed().as_secs_f64();
        let left = elapsed / epoch as f64 * (self.epochs - epoch) as f64;
        let mut line = words::progress(epoch, self.epochs, short(loss));
        if let Some(accuracy) = accuracy {
            line = words::progress_accuracy(line, format!("{:.1}", 100.0 * accuracy));
        }
        line = words::progress_elapsed(duration(elapsed), line);
        if !last {
            line = words::progress_left(duration(left), line);
        }
        if self.terminal {
            eprint!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
        self.drawn = Some(Instant::now());
    }

    pub fn finish(&self) {
        if self.terminal && !self.quiet && self.drawn.is_some() {
            eprintln!();
        }
    }
}

/// A loss for people: four significant digits.
pub fn short(x: Real) -> String {
    let magnitude = x.abs();
    if x == 0.0 || !x.is_finite() {
        format!("{x}")
    } else if (1e-4..1e5).contains(&magnitude) {
        let decimals = (3 - magnitude.log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

/// Seconds for people: `0.4 s`, `12 s`, `3 min 20 s`.
fn duration(seconds: f64) -> String {
    if seconds < 10.0 {
        words::seconds(format!("{seconds:.1}"))
    } else if seconds < 60.0 {
        words::seconds(format!("{seconds:.0}"))
    } else {
        let whole = seconds.round() as u64;
        words::minutes(whole / 60, whole % 60)
    }
}
