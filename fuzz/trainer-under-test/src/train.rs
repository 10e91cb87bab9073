//! Training: epochs of minibatch steps, each batch's rows shared among threads, with progress on
//! standard error, an optional loss log and checkpoints of the weights.
//!
//! A step cuts its batch into parts, one per thread (one part when the batch is too small to
//! pay for a meeting of threads). Each thread computes the forward and backward passes of its
//! part into a gradient sum of its own; the main thread adds the parts' sums in order and takes
//! the optimizer's step. The threads live as long as training does and meet twice a step.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::Real;
use crate::data::Data;
use crate::kernels;
use crate::model::{self, Backward, Batch, Forward, PARAMS, Params, Transposed, WORK};
use crate::optim::{self, Optimizer, STATE, Step};
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
    /// The most threads to use.
    pub threads: usize,
}

/// How training went, for `--bench`.
pub struct Report {
    /// The time of each epoch, in seconds.
    pub epochs: Vec<f64>,
    /// The threads the steps used.
    pub threads: usize,
}

/// The least work (multiply–adds) a part of a batch must have to be given a thread of its own:
/// threads meet twice a step, which costs a few microseconds.
const MIN_PART_WORK: usize = 1_000_000;

/// How many parts a step on `rows` rows is cut into: at most `threads`, and only as many as have
/// enough work each.
pub fn parts(rows: usize, threads: usize) -> usize {
    threads
        .min(rows * WORK / MIN_PART_WORK)
        .clamp(1, rows.max(1))
}

/// Part `k` of `parts` of `rows`, the parts as even as they can be.
pub fn share(rows: &[usize], k: usize, parts: usize) -> &[usize] {
    let n = rows.len();
    &rows[k * n / parts..(k + 1) * n / parts]
}

/// One thread's part of a batch: its rows, the values of their passes, and the sum of their
/// gradients and losses.
pub struct Part {
    batch: Batch,
    forward: Forward,
    backward: Backward,
    /// The sum of the rows' gradients.
    pub sum: Params,
    /// The sum of the rows' losses.
    pub loss: Real,
    /// How many of the rows the network classifies right, before the step.
    pub correct: usize,
}

impl Part {
    /// Room for `capacity` rows.
    pub fn new(capacity: usize) -> Part {
        Part {
            batch: Batch::new(capacity),
            forward: Forward::new(capacity),
            backward: Backward::new(capacity),
            sum: Params::zeros(),
            loss: 0.0,
            correct: 0,
        }
    }

    /// The forward and backward passes of the rows `indices` of `data`.
    pub fn compute(&mut self, p: &Params, t: &Transposed, data: &Data, indices: &[usize]) {
        self.batch.gather(&data.values, indices);
        for values in self.sum.values_mut() {
            values.fill(0.0);
        }
        self.loss = model::forward(p, t, &self.batch, &mut self.forward);
        model::backward(
            p,
            &self.batch,
            &self.forward,
            &mut self.backward,
            &mut self.sum,
        );
        let (f, e) = (&self.forward, &self.batch);
        self.correct = (0..indices.len())
            .filter(|&r| model::predicted_class(f, r) == model::true_class(e, r))
            .count();
    }
}

/// Adds `part` into `total`, element by element.
pub fn add_into(total: &mut Params, part: &Params) {
    for (total, part) in total.values_mut().into_iter().zip(part.values()) {
        kernels::add_assign(total, part);
    }
}

/// What the threads share: read by all while they compute a step, changed by the main thread
/// between steps.
struct Shared {
    params: Params,
    transposed: Transposed,
    /// The order of the rows in this epoch.
    order: Vec<usize>,
}

/// What the main thread asks a helper to do.
enum Job {
    /// Compute a part: the rows from `start` to `end` of the epoch's order.
    Compute(Box<Part>, usize, usize),
    /// Update share `k` of every parameter (see `Update`).
    Update(usize),
}

/// What a helper answers.
enum Reply {
    /// The part, computed.
    Computed(Box<Part>),
    /// Whether its share of the parameters is still finite.
    Updated(bool),
}

/// A tensor's elements as a pointer and a length, so that several threads can each change
/// their own share of it at once.
#[derive(Clone, Copy)]
struct Raw {
    at: *mut Real,
    len: usize,
}

// SAFETY: a `Raw` is only used through `share`, under the rules written there.
unsafe impl Send for Raw {}
unsafe impl Sync for Raw {}

impl Raw {
    fn new(slice: &mut [Real]) -> Raw {
        Raw {
            at: slice.as_mut_ptr(),
            len: slice.len(),
        }
    }

    /// Elements `k·len/n … (k+1)·len/n`: share `k` of `n`.
    ///
    /// SAFETY: the slice this was made from must stay borrowed, and unused otherwise, while the
    /// share is in use, and no two threads may use the same share at once. `update` keeps these
    /// rules: the main thread holds every borrow until all the helpers have answered, and
    /// thread `k` uses share `k` only.
    unsafe fn share<'a>(self, k: usize, n: usize) -> &'a mut [Real] {
        let (start, end) = (k * self.len / n, (k + 1) * self.len / n);
        // SAFETY: `start..end` lies inside the slice, which is alive and not otherwise used.
        unsafe { std::slice::from_raw_parts_mut(self.at.add(start), end - start) }
    }
}

/// One step's update, shared among the threads: each parameter's values, its gradient sum of
/// each part, and the optimizer's tensors for it, in that order; and the step's numbers.
struct Update {
    step: Option<Step>,
    parts: usize,
    tensors: Vec<Raw>,
}

impl Update {
    /// Updates share `k` of every parameter: adds the parts' gradient sums, then takes the
    /// optimizer's step. Returns whether the share is still finite.
    fn share(&self, k: usize, threads: usize) -> bool {
        let Some(step) = &self.step else {
            return true;
        };
        let mut finite = true;
        for tensor in self.tensors.chunks_exact(1 + self.parts + STATE) {
            // SAFETY: see `Raw::share`; `tensors` holds disjoint tensors, each once.
            let share = |raw: Raw| unsafe { raw.share(k, threads) };
            let p = share(tensor[0]);
            let sum = share(tensor[1]);
            for part in &tensor[2..1 + self.parts] {
                kernels::add_assign(sum, share(*part));
            }
            let state: [&mut [Real]; STATE] =
                std::array::from_fn(|i| share(tensor[1 + self.parts + i]));
            finite &= optim::update(step, p, sum, state);
        }
        finite
    }
}

/// Parameters this many or more are updated by all the threads, each its share; fewer, by the
/// main thread alone.
const SHARED_UPDATE: usize = 65_536;

/// Waits for a message: spinning for a moment first (a step is often over in microseconds, far
/// sooner than a sleeping thread wakes), then sleeping. `None` once the sender is gone.
fn receive<T>(channel: &Receiver<T>) -> Option<T> {
    for _ in 0..20_000 {
        match channel.try_recv() {
            Ok(message) => return Some(message),
            Err(TryRecvError::Empty) => std::hint::spin_loop(),
            Err(TryRecvError::Disconnected) => return None,
        }
    }
    channel.recv().ok()
}

/// Trains `params` on `data`. Each epoch puts the rows in a fresh order (a seeded Fisher–Yates
/// shuffle of 0…n−1, unless shuffling is off) and cuts it into consecutive batches of
/// `settings.batch` rows, the last one possibly smaller. Each batch is one optimizer step on
/// the gradient of its mean loss.
pub fn train(data: &Data, params: &mut Params, settings: &Settings) -> Result<Report, String> {
    let batch = settings.batch.clamp(1, data.rows.max(1));
    let threads = parts(batch, settings.threads);
    let mut transposed = Transposed::zeros();
    transposed.update(params);
    let shared = RwLock::new(Shared {
        params: params.clone(),
        transposed,
        order: (0..data.rows).collect(),
    });
    let capacity = batch.div_ceil(threads);
    let update = RwLock::new(Update {
        step: None,
        parts: threads,
        tensors: Vec::new(),
    });
    let report = std::thread::scope(|scope| {
        // Every thread but this one: a channel of jobs to it, and one of answers back.
        let mut helpers = Vec::new();
        for _ in 1..threads {
            let (jobs, inbox) = mpsc::sync_channel::<Job>(1);
            let (outbox, done) = mpsc::sync_channel::<Reply>(1);
            let (shared, update) = (&shared, &update);
            scope.spawn(move || {
                kernels::flush_denormals();
                while let Some(job) = receive(&inbox) {
                    let reply = match job {
                        Job::Compute(mut part, start, end) => {
                            let s = shared.read().unwrap_or_else(PoisonError::into_inner);
                            part.compute(&s.params, &s.transposed, data, &s.order[start..end]);
                            Reply::Computed(part)
                        }
                        Job::Update(share) => {
                            let u = update.read().unwrap_or_else(PoisonError::into_inner);
                            Reply::Updated(u.share(share, threads))
                        }
                    };
                    if outbox.send(reply).is_err() {
                        break;
                    }
                }
            });
            helpers.push(Helper {
                jobs,
                done,
                part: Some(Box::new(Part::new(capacity))),
            });
        }
        let mut main = Part::new(capacity);
        let threads = Threads {
            shared: &shared,
            update: &update,
            helpers: &mut helpers,
        };
        steps(data, settings, threads, &mut main)
    })?;
    *params = shared
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .params;
    Ok(Report {
        epochs: report,
        threads,
    })
}

/// A helper thread, as the main thread sees it.
struct Helper {
    /// Where to send it jobs.
    jobs: mpsc::SyncSender<Job>,
    /// Where its answers come back.
    done: Receiver<Reply>,
    /// Its part, while the main thread holds it.
    part: Option<Box<Part>>,
}

/// What the threads of training share, as the main thread sees it.
struct Threads<'a> {
    shared: &'a RwLock<Shared>,
    update: &'a RwLock<Update>,
    helpers: &'a mut [Helper],
}

/// The epochs of training, on this thread and the helpers; the time of each epoch.
fn steps(
    data: &Data,
    settings: &Settings,
    threads: Threads,
    main: &mut Part,
) -> Result<Vec<f64>, String> {
    let Threads {
        shared,
        update,
        helpers,
    } = threads;
    let size: usize = PARAMS
        .iter()
        .map(|(_, shape)| shape.iter().product::<usize>())
        .sum();
    let shared_update = !helpers.is_empty() && size >= SHARED_UPDATE;
    let mut log = match &settings.log {
        Some(path) => Some(Log::create(path)?),
        None => None,
    };
    let parts = helpers.len() + 1;
    let mut optimizer = Optimizer::new(settings.lr);
    // The shuffle has a generator of its own (seed + 1), independent of the starting values.
    let mut rng = Rng::new(settings.seed.wrapping_add(1));
    let mut progress = Progress::new(settings.epochs, settings.quiet);
    let mut checkpoint = settings.save.as_deref().map(weights::Checkpoint::new);
    let mut times = Vec::new();
    let rows = data.rows;
    let write = || shared.write().unwrap_or_else(PoisonError::into_inner);
    for epoch in 1..=settings.epochs {
        let started = Instant::now();
        if settings.shuffle {
            let order = &mut write().order;
            for (i, row) in order.iter_mut().enumerate() {
                *row = i;
            }
            rng.shuffle(order);
        }
        let mut total = 0.0;
        let mut correct = 0;
        let batch = settings.batch.max(1);
        for (index, start) in (0..rows).step_by(batch).enumerate() {
            let end = (start + batch).min(rows);
            let count = end - start;
            // Part k has rows start + k·count/parts … of the epoch's order.
            let bound = |k: usize| start + k * count / parts;
            for (k, helper) in helpers.iter_mut().enumerate() {
                if let Some(part) = helper.part.take() {
                    let _ = helper
                        .jobs
                        .send(Job::Compute(part, bound(k + 1), bound(k + 2)));
                }
            }
            {
                let s = shared.read().unwrap_or_else(PoisonError::into_inner);
                let order = &s.order[bound(0)..bound(1)];
                main.compute(&s.params, &s.transposed, data, order);
            }
            let mut batch_total = main.loss;
            correct += main.correct;
            for helper in helpers.iter_mut() {
                let Some(Reply::Computed(part)) = receive(&helper.done) else {
                    return Err("a training thread stopped".to_string());
                };
                batch_total += part.loss;
                correct += part.correct;
                if !shared_update {
                    add_into(&mut main.sum, &part.sum);
                }
                helper.part = Some(part);
            }
            let at = || format!("epoch {epoch}, batch {}", index + 1);
            let mut s = write();
            if !batch_total.is_finite() {
                let what = format!("the loss is {batch_total}");
                return Err(diverged(&at(), &what, &s.params, settings));
            }
            let finite = if shared_update {
                let step = optimizer.begin(count);
                share_update(step, &mut s.params, &mut optimizer, main, helpers, update)?
            } else {
                optimizer.step(&mut s.params, &main.sum, count)
            };
            if !finite {
                let element = non_finite(&s.params).unwrap_or_default();
                let what = format!("{element} after the step");
                return Err(diverged(&at(), &what, &s.params, settings));
            }
            let s = &mut *s;
            s.transposed.update(&s.params);
            total += batch_total;
        }
        times.push(started.elapsed().as_secs_f64());
        let loss = total / rows as Real;
        let accuracy = Some(correct as Real / rows as Real);
        progress.epoch(epoch, loss, accuracy);
        if let Some(log) = &mut log {
            log.write(epoch, loss, accuracy)?;
        }
        // After every epoch, so that a run killed at any moment leaves the weights of its last
        // whole epoch (`--init` resumes from them).
        if let Some(checkpoint) = &mut checkpoint {
            checkpoint.save(&shared.read().unwrap_or_else(PoisonError::into_inner).params)?;
        }
    }
    progress.finish();
    if let Some(log) = log {
        log.finish()?;
    }
    if let Some(checkpoint) = &mut checkpoint {
        if settings.epochs == 0 {
            checkpoint.save(&shared.read().unwrap_or_else(PoisonError::into_inner).params)?;
        }
        checkpoint.sync()?;
    }
    Ok(times)
}

/// The optimizer's step on the parameters, each thread taking its share of every tensor (after
/// adding the parts' gradient sums in that share). Returns whether every parameter is finite.
fn share_update(
    step: Step,
    params: &mut Params,
    optimizer: &mut Optimizer,
    main: &mut Part,
    helpers: &mut [Helper],
    update: &RwLock<Update>,
) -> Result<bool, String> {
    let threads = helpers.len() + 1;
    {
        let mut u = update.write().unwrap_or_else(PoisonError::into_inner);
        u.step = Some(step);
        u.parts = threads;
        u.tensors.clear();
        // Raw views of every tensor the step changes or reads. The borrows they come from are
        // held (`params`, `optimizer`, `main`, `helpers`) and not used again until every helper
        // has answered below.
        for t in 0..PARAMS.len() {
            let p = params.values_mut().into_iter().nth(t);
            let parts = helpers
                .iter_mut()
                .map(|h| h.part.as_mut().map(|p| &mut p.sum));
            let sums = std::iter::once(Some(&mut main.sum))
                .chain(parts)
                .map(|sum| sum.and_then(|sum| sum.values_mut().into_iter().nth(t)));
            for tensor in std::iter::once(p).chain(sums) {
                let tensor = tensor.ok_or("a training thread stopped")?;
                u.tensors.push(Raw::new(tensor));
            }
            for tensor in optimizer.state().nth(t).into_iter().flatten() {
                u.tensors.push(Raw::new(tensor));
            }
        }
    }
    for (k, helper) in helpers.iter().enumerate() {
        let _ = helper.jobs.send(Job::Update(k + 1));
    }
    let mut finite = update
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .share(0, threads);
    for helper in helpers.iter() {
        let Some(Reply::Updated(share)) = receive(&helper.done) else {
            return Err("a training thread stopped".to_string());
        };
        finite &= share;
    }
    Ok(finite)
}

/// The sum of the losses of `params` on every row of `data`, and how many rows it
/// classifies right: the rows in batches, shared among at most `threads` threads.
pub fn evaluate(params: &Params, data: &Data, threads: usize) -> (Real, usize) {
    let mut transposed = Transposed::zeros();
    transposed.update(params);
    let all: Vec<usize> = (0..data.rows).collect();
    let threads = parts(data.rows, threads);
    let t = &transposed;
    let results: Vec<(Real, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads)
            .map(|k| {
                let rows = share(&all, k, threads);
                scope.spawn(move || {
                    kernels::flush_denormals();
                    evaluate_rows(params, t, data, rows)
                })
            })
            .collect();
        let mut results = vec![evaluate_rows(params, t, data, share(&all, 0, threads))];
        for handle in handles {
            results.push(handle.join().unwrap_or((Real::NAN, 0)));
        }
        results
    });
    results
        .into_iter()
        .fold((0.0, 0), |(loss, correct), (l, c)| (loss + l, correct + c))
}

/// Rows of `data` a forward pass takes at once when evaluating.
pub const EVALUATION_BATCH: usize = 256;

/// The sum of the losses of the rows `rows`, and how many it classifies right.
fn evaluate_rows(p: &Params, t: &Transposed, data: &Data, rows: &[usize]) -> (Real, usize) {
    let capacity = EVALUATION_BATCH.min(rows.len()).max(1);
    let mut batch = Batch::new(capacity);
    let mut forward = Forward::new(capacity);
    let mut loss = 0.0;
    let mut correct = 0;
    for chunk in rows.chunks(capacity) {
        batch.gather(&data.values, chunk);
        loss += model::forward(p, t, &batch, &mut forward);
        correct += (0..chunk.len())
            .filter(|&r| model::predicted_class(&forward, r) == model::true_class(&batch, r))
            .count();
    }
    (loss, correct)
}

/// The first parameter element that is NaN or infinite, named: `W1[0, 2] is NaN`.
fn non_finite(params: &Params) -> Option<String> {
    for (index, ((name, shape), values)) in PARAMS.iter().zip(params.values()).enumerate() {
        let value = |position: usize| values[model::stored_at(index, position)];
        if let Some(position) = (0..values.len()).find(|&p| !value(p).is_finite()) {
            let element = weights::element_name(name, shape, position);
            return Some(format!("{element} is {}", value(position)));
        }
    }
    None
}

/// The parameter element largest in size: `W1[0, 2] = -3.5e150`.
fn largest(params: &Params) -> String {
    let values = params.values();
    let value = |index: usize, position: usize| values[index][model::stored_at(index, position)];
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
