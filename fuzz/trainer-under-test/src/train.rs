//! Training: epochs of minibatch steps, with progress on standard error, an optional loss log
//! and checkpoints of the weights.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::Real;
use crate::data::Data;
use crate::model::{self, Backward, Forward, PARAMS, Params};
use crate::optim::Optimizer;
use crate::rng::Rng;
use crate::weights;

/// How to train: the file's `train(…)` and optimizer settings unless the command line overrides
/// them.
pub struct Settings {
    pub epochs: u64,
    pub batch: usize,
    pub lr: Real,
    pub seed: u64,
    pub shuffle: bool,
    /// Where to keep the weights: written after every epoch.
    pub save: Option<String>,
    /// Where to write the loss of each epoch, as CSV.
    pub log: Option<String>,
    pub quiet: bool,
}

/// Trains `params` on `data`. Each epoch puts the rows in a fresh order (a seeded Fisher–Yates
/// shuffle of 0…n−1, unless shuffling is off) and cuts it into consecutive batches of
/// `settings.batch` rows, the last one possibly smaller. Each batch is one optimizer step on
/// the gradient of its mean loss.
pub fn train(data: &Data, params: &mut Params, settings: &Settings) -> Result<(), String> {
    let examples = &data.examples;
    let mut log = match &settings.log {
        Some(path) => Some(Log::create(path)?),
        None => None,
    };
    let mut optimizer = Optimizer::new(settings.lr);
    let mut forward = Forward::zeros();
    let mut backward = Backward::zeros();
    let mut sum = Params::zeros();
    let mut order: Vec<usize> = (0..examples.len()).collect();
    // The shuffle has a generator of its own (seed + 1), independent of the starting values.
    let mut rng = Rng::new(settings.seed.wrapping_add(1));
    let mut progress = Progress::new(settings.epochs, settings.quiet);
    let mut checkpoint = settings.save.as_deref().map(weights::Checkpoint::new);
    for epoch in 1..=settings.epochs {
        if settings.shuffle {
            for (i, row) in order.iter_mut().enumerate() {
                *row = i;
            }
            rng.shuffle(&mut order);
        }
        let mut total = 0.0;
        let mut correct = 0;
        for (index, batch) in order.chunks(settings.batch.max(1)).enumerate() {
            for values in sum.values_mut() {
                values.fill(0.0);
            }
            let mut batch_total = 0.0;
            for &row in batch {
                let e = &examples[row];
                batch_total += model::forward(params, e, &mut forward);
                model::backward(params, e, &forward, &mut backward, &mut sum);
                correct += usize::from(model::predicted_class(&forward) == model::true_class(e));
            }
            let at = || format!("epoch {epoch}, batch {}", index + 1);
            if !batch_total.is_finite() {
                let what = format!("the loss is {batch_total}");
                return Err(diverged(&at(), &what, params, settings));
            }
            optimizer.step(params, &sum, batch.len());
            if let Some(element) = non_finite(params) {
                let what = format!("{element} after the step");
                return Err(diverged(&at(), &what, params, settings));
            }
            total += batch_total;
        }
        let loss = total / examples.len() as Real;
        let accuracy = Some(correct as Real / examples.len() as Real);
        progress.epoch(epoch, loss, accuracy);
        if let Some(log) = &mut log {
            log.write(epoch, loss, accuracy)?;
        }
        // After every epoch, so that a run killed at any moment leaves the weights of its last
        // whole epoch (`--init` resumes from them).
        if let Some(checkpoint) = &mut checkpoint {
            checkpoint.save(params)?;
        }
    }
    progress.finish();
    if let Some(log) = log {
        log.finish()?;
    }
    if let Some(checkpoint) = &mut checkpoint {
        if settings.epochs == 0 {
            checkpoint.save(params)?;
        }
        checkpoint.sync()?;
    }
    Ok(())
}

/// The first parameter element that is NaN or infinite, named: `W1[0, 2] is NaN`.
fn non_finite(params: &Params) -> Option<String> {
    for ((name, shape), values) in PARAMS.iter().zip(params.values()) {
        if let Some(position) = values.iter().position(|x| !x.is_finite()) {
            let element = weights::element_name(name, shape, position);
            return Some(format!("{element} is {}", values[position]));
        }
    }
    None
}

/// The parameter element largest in size: `W1[0, 2] = -3.5e150`.
fn largest(params: &Params) -> String {
    let values = params.values();
    let (mut index, mut position) = (0, 0);
    for (i, tensor) in values.iter().enumerate() {
        for (j, x) in tensor.iter().enumerate() {
            if x.abs() > values[index][position].abs() {
                (index, position) = (i, j);
            }
        }
    }
    let (name, shape) = PARAMS[index];
    let element = weights::element_name(name, shape, position);
    format!("{element} = {}", short(values[index][position]))
}

/// The message for a run that went to NaN or infinity.
fn diverged(at: &str, what: &str, params: &Params, settings: &Settings) -> String {
    let parameters = match non_finite(params) {
        Some(element) if !what.contains(" after ") => format!("; {element}"),
        Some(_) => String::new(),
        None if what.contains(" after ") => String::new(),
        None => format!(
            "; every parameter is still finite, the largest being {}",
            largest(params)
        ),
    };
    format!(
        "training stopped at {at}: {what}{parameters}.\n\
         The learning rate {} is probably too large: try a smaller one, such as --lr {}",
        plain(settings.lr),
        plain(settings.lr / 10.0)
    )
}

/// A number as a person would type it: `0.05`, `1e10`.
fn plain(x: Real) -> String {
    if (1e-4..1e5).contains(&x.abs()) {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

/// The loss of each epoch, as CSV.
struct Log {
    path: String,
    out: std::io::BufWriter<std::fs::File>,
}

impl Log {
    fn create(path: &str) -> Result<Log, String> {
        let file = std::fs::File::create(path).map_err(|e| format!("cannot write {path}: {e}"))?;
        let mut log = Log {
            path: path.to_string(),
            out: std::io::BufWriter::new(file),
        };
        log.line("epoch,loss,accuracy")?;
        Ok(log)
    }

    fn write(&mut self, epoch: u64, loss: Real, accuracy: Option<Real>) -> Result<(), String> {
        match accuracy {
            Some(accuracy) => self.line(&format!("{epoch},{loss:?},{accuracy:?}")),
            None => self.line(&format!("{epoch},{loss:?}")),
        }
    }

    fn line(&mut self, line: &str) -> Result<(), String> {
        writeln!(self.out, "{line}").map_err(|e| format!("cannot write {}: {e}", self.path))
    }

    fn finish(mut self) -> Result<(), String> {
        self.out
            .flush()
            .map_err(|e| format!("cannot write {}: {e}", self.path))
    }
}

/// One line per epoch on standard error: redrawn in place on a terminal (at most ten times a
/// second), otherwise printed for at most a hundred epochs spread over the run.
struct Progress {
    epochs: u64,
    start: Instant,
    drawn: Option<Instant>,
    terminal: bool,
    quiet: bool,
}

impl Progress {
    fn new(epochs: u64, quiet: bool) -> Progress {
        Progress {
            epochs,
            start: Instant::now(),
            drawn: None,
            terminal: std::io::stderr().is_terminal(),
            quiet,
        }
    }

    fn epoch(&mut self, epoch: u64, loss: Real, accuracy: Option<Real>) {
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
        let mut line = format!("epoch {epoch}/{}  loss {}", self.epochs, short(loss));
        if let Some(accuracy) = accuracy {
            line.push_str(&format!("  accuracy {:.1}%", 100.0 * accuracy));
        }
        line.push_str(&format!("  {} elapsed", duration(elapsed)));
        if !last {
            line.push_str(&format!(", about {} left", duration(left)));
        }
        if self.terminal {
            eprint!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
        self.drawn = Some(Instant::now());
    }

    fn finish(&self) {
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
        format!("{seconds:.1} s")
    } else if seconds < 60.0 {
        format!("{seconds:.0} s")
    } else {
        let whole = seconds.round() as u64;
        format!("{} min {} s", whole / 60, whole % 60)
    }
}
