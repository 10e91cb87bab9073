//! Training: epochs of minibatch steps, with the progress line, the loss log and checkpoints
//! (`checkpoint.rs`).
use std::time::Instant;

use crate::Real;
use crate::checkpoint::{self, Keeper};
use crate::data::Data;
use crate::model::{self, Backward, Batch, Forward, PARAMS, Params};
use crate::optim::Optimizer;
use crate::progress::short;
use crate::rng::Rng;
use crate::weights;
use crate::words;

/// How to train: the file's `train(…)` and optimizer settings unless the command line overrides
/// them.
pub struct Settings {
    pub epochs: u64,
    pub batch: usize,
    pub lr: Real,
    pub seed: u64,
    pub shuffle: bool,
    /// Where to keep the weights: written on the clock (`save_every`), after the last epoch,
    /// and when a signal stops training.
    pub save: Option<String>,
    /// Seconds between checkpoints (and writes of the log); 0: after every epoch.
    pub save_every: f64,
    /// The class labels the checkpoints keep with the weights.
    pub labels: Vec<String>,
    /// Where to write the loss of each epoch, as CSV.
    pub log: Option<String>,
    pub quiet: bool,
}

/// How training went, for `--bench`.
pub struct Report {
    /// The time of each epoch, in seconds.
    pub epochs: Vec<f64>,
    /// Where a signal stopped training, if one did.
    pub stopped: Option<Stopped>,
    /// The last checkpoint, on its way to the disk.
    pub saving: checkpoint::Saving,
}

/// Where training stopped when a signal asked it to: after epoch `epoch`, or after the step on
/// batch `batch` of it.
pub struct Stopped {
    pub signal: i32,
    pub epoch: u64,
    pub batch: Option<usize>,
}

/// Trains `params` on `data`. Each epoch puts the rows in a fresh order (a seeded Fisher–Yates
/// shuffle of 0…n−1, unless shuffling is off) and cuts it into consecutive batches of
/// `settings.batch` rows, the last one possibly smaller. Each batch is one optimizer step on
/// the gradient of its mean loss.
pub fn train(data: &Data, params: &mut Params, settings: &Settings) -> Result<Report, String> {
    let batch = settings.batch.clamp(1, data.rows.max(1));
    let mut keeper = Keeper::new(settings)?;
    let mut examples = Batch::new(batch);
    let mut f = Forward::new(batch);
    let mut b = Backward::new(batch);
    let mut g = Params::zeros();
    let mut optimizer = Optimizer::new(settings.lr, &PARAMS);
    // The shuffle has a generator of its own (seed + 1), independent of the starting values.
    let mut rng = Rng::new(settings.seed.wrapping_add(1));
    let mut order: Vec<usize> = (0..data.rows).collect();
    let batches = data.rows.div_ceil(batch);
    let mut times = Vec::new();
    // The accuracy is shown on the progress line and written to the log, if there are any.
    let counted = !settings.quiet || settings.log.is_some();
    // An epoch ends where the next begins: one reading of the clock an epoch (XOR's epoch, a
    // third of a microsecond, spent a tenth of its time reading it twice).
    let mut started = Instant::now();
    for epoch in 1..=settings.epochs {
        if settings.shuffle {
            shuffled(&mut order, &mut rng);
        }
        let mut total = 0.0;
        let mut correct = 0;
        for (index, rows) in order.chunks(batch).enumerate() {
            let at = || words::at_batch(index + 1, epoch);
            examples.gather(&data.values, rows);
            let loss = model::forward(params, &examples, &mut f);
            if !loss.is_finite() {
                let what = words::loss_is(loss);
                return Err(diverged(&at(), &what, false, params, settings));
            }
            model::backward(params, &examples, &f, &mut b, &mut g);
            if !optimizer.step(params, &g, rows.len()) {
                let element = non_finite(params).unwrap_or_default();
                let what = words::after_step(element);
                return Err(diverged(&at(), &what, true, params, settings));
            }
            total += loss;
            if counted {
                correct += (0..rows.len())
                    .filter(|&r| model::predicted_class(&f, r) == model::true_class(&examples, r))
                    .count();
            }
            let epoch_end = index + 1 == batches;
            if let Some(signal) = checkpoint::stop_requested().filter(|_| !epoch_end) {
                let batch = Some(index + 1);
                let stopped = Some(Stopped {
                    signal,
                    epoch,
                    batch,
                });
                return finish((times, stopped), keeper, params);
            }
            if !epoch_end && keeper.due(false) {
                keeper.keep(params)?;
            }
        }
        let ended = Instant::now();
        times.push(ended.duration_since(started).as_secs_f64());
        started = ended;
        let accuracy = counted.then(|| correct as Real / data.rows as Real);
        let sum = (epoch, total, accuracy);
        let end = end_epoch(&mut keeper, sum, (data.rows, params), settings)?;
        if end.is_some() {
            return finish((times, end), keeper, params);
        }
    }
    finish((times, None), keeper, params)
}

/// The end of training: the progress line ends, and the weights and the log are kept.
fn finish(
    (epochs, stopped): (Vec<f64>, Option<Stopped>),
    keeper: Keeper,
    params: &Params,
) -> Result<Report, String> {
    let saving = keeper.finish(params)?;
    Ok(Report {
        epochs,
        stopped,
        saving,
    })
}

/// The end of epoch `epoch` in a training loop, whose losses on the `rows` rows sum to `total`:
/// the progress line and the log show its mean loss (an overflowing sum stops training, as any
/// loss that is not finite does). Then, unless it was the last, a signal stops training after
/// it (where it stopped is returned); else the weights `params` are kept if the clock says so.
pub fn end_epoch(
    keeper: &mut Keeper,
    (epoch, total, accuracy): (u64, Real, Option<Real>),
    (rows, params): (usize, &Params),
    settings: &Settings,
) -> Result<Option<Stopped>, String> {
    if !total.is_finite() {
        let (at, what) = (words::at_epoch(epoch), words::sum_of_losses_is(total));
        return Err(diverged(&at, &what, false, params, settings));
    }
    let loss = total / rows as Real;
    keeper.epoch(epoch, loss, accuracy)?;
    if epoch == settings.epochs {
        // The weights are kept at the end, whatever the clock says.
        return Ok(None);
    }
    if let Some(signal) = checkpoint::stop_requested() {
        let batch = None;
        return Ok(Some(Stopped {
            signal,
            epoch,
            batch,
        }));
    }
    if keeper.due(true) {
        keeper.keep(params)?;
    }
    Ok(None)
}

/// Puts `order` (the rows 0…n−1, in any order) in a fresh random order: a Fisher–Yates shuffle
/// of 0…n−1, so an epoch's order depends only on the draws before it.
pub fn shuffled(order: &mut [usize], rng: &mut Rng) {
    for (i, row) in order.iter_mut().enumerate() {
        *row = i;
    }
    rng.shuffle(order);
}

/// What evaluating the weights on rows gives: the sum of their losses, and how many the network
/// classifies right.
pub type Score = (Real, usize);

/// `params` on every row of `data`.
pub fn evaluate(params: &Params, data: &Data) -> Score {
    let all: Vec<usize> = (0..data.rows).collect();
    evaluate_rows(params, data, &all)
}

/// Rows of `data` a forward pass takes at once when evaluating.
pub const EVALUATION_BATCH: usize = 256;

/// `params` on the rows `rows` of `data`, `EVALUATION_BATCH` at a time.
pub fn evaluate_rows(params: &Params, data: &Data, rows: &[usize]) -> Score {
    let capacity = EVALUATION_BATCH.min(rows.len()).max(1);
    let mut batch = Batch::new(capacity);
    let mut f = Forward::new(capacity);
    let mut loss = 0.0;
    let mut correct = 0;
    for chunk in rows.chunks(capacity) {
        batch.gather(&data.values, chunk);
        loss += model::forward(params, &batch, &mut f);
        correct += (0..chunk.len())
            .filter(|&r| model::predicted_class(&f, r) == model::true_class(&batch, r))
            .count();
    }
    (loss, correct)
}

/// The first parameter element that is NaN or infinite, named: `W1[0, 2] is NaN`.
pub fn non_finite(params: &Params) -> Option<String> {
    for (index, ((name, shape), values)) in PARAMS.iter().zip(params.values()).enumerate() {
        let value = |position: usize| values[crate::model::stored_at(index, position)];
        if let Some(position) = (0..values.len()).find(|&p| !value(p).is_finite()) {
            let element = weights::element_name(name, shape, position);
            return Some(words::element_is(element, value(position)));
        }
    }
    None
}

/// The parameter element largest in size: `W1[0, 2] = -3.5e150`.
fn largest(params: &Params) -> String {
    let values = params.values();
    let value = |k: usize, at: usize| values[k][crate::model::stored_at(k, at)];
    let (mut index, mut position) = (0, 0);
    for (i, tensor) in values.iter().enumerate() {
        for j in 0..tensor.len() {
            if value(i, j).abs() > value(index, position).abs() {
                (index, position) = (i, j);
            }
        }
    }
    let (name, shape) = PARAMS[index];
    let element = weights::element_name(name, shape, position);
    format!("{element} = {}", short(value(index, position)))
}

/// The message for a run that went to NaN or infinity at `at`, where `what` happened: the
/// parameter element that did too (which `what` names already if it came `after_step`), or the
/// largest when every one is finite.
pub fn diverged(
    at: &str,
    what: &str,
    after_step: bool,
    params: &Params,
    settings: &Settings,
) -> String {
    let (lr, smaller) = (plain(settings.lr), plain(settings.lr / 10.0));
    match non_finite(params) {
        Some(element) if !after_step => words::diverged_element(at, element, lr, smaller, what),
        None if !after_step => words::diverged_finite(at, largest(params), lr, smaller, what),
        _ => words::diverged(at, lr, smaller, what),
    }
}

/// A number as a person would type it: `0.05`, `1e10`.
fn plain(x: Real) -> String {
    if (1e-4..1e5).contains(&x.abs()) {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}
