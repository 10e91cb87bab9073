//! Training: epochs of minibatch steps, each batch's rows shared among threads, with progress on
//! standard error, an optional loss log and checkpoints of the weights.
//!
//! A step cuts its batch into parts, one per thread (one part when the batch is too small to
//! pay for a meeting of threads). Each thread computes the forward and backward passes of its
//! part. Then each thread takes the optimizer's step on its share of the rows of every parameter
//! (all of them on one thread when the parameters are few): a few rows at a time, it sums their
//! gradient over the whole batch — from the rows' values for a gradient `u vᵀ` summed over the
//! examples, else from the parts' sums — and updates them while they are in the cache. No
//! gradient of a whole weight matrix is stored, and the parameters a thread updates are the ones
//! it keeps in its cache. The threads live as long as training does and meet twice a step.

use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{PoisonError, RwLock};
use std::time::Instant;

use crate::Real;
use crate::checkpoint::{self, Keeper};
use crate::data::Data;
use crate::kernels;
use crate::model::{self, Backward, Batch, Forward, PARAMS, Params, Products, Transposed, WORK};
use crate::optim::{self, Optimizer, STATE, Step};
use crate::progress::{Progress, short};
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
    /// The most threads to use.
    pub threads: usize,
}

/// How training went, for `--bench`.
pub struct Report {
    /// The time of each epoch, in seconds.
    pub epochs: Vec<f64>,
    /// The threads the steps used.
    pub threads: usize,
    /// Whether they shared each step by the hidden units (`units.rs`), not by the batch's rows.
    pub by_units: bool,
    /// Where a signal stopped training, if one did.
    pub stopped: Option<Stopped>,
}

/// Where training stopped when a signal asked it to: after epoch `epoch`, or after the step on
/// batch `batch` of it.
pub struct Stopped {
    pub signal: i32,
    pub epoch: u64,
    pub batch: Option<usize>,
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

/// One thread's part of a batch: its rows, the values of their passes, and the sums of their
/// losses and of their gradients (of the parameters whose gradient the step sums itself: see
/// `model::ROW_PRODUCTS`); and its rows of the next batch.
pub struct Part {
    batch: Batch,
    next: Batch,
    forward: Forward,
    backward: Backward,
    /// The sum of the rows' gradients, of the parameters not in `model::ROW_PRODUCTS`.
    pub sum: Params,
    /// The sum of the rows' losses.
    pub loss: Real,
}

impl Part {
    /// Room for `capacity` rows.
    pub fn new(capacity: usize) -> Part {
        Part {
            batch: Batch::new(capacity),
            next: Batch::new(capacity),
            forward: Forward::new(capacity),
            backward: Backward::new(capacity),
            sum: Params::zeros(),
            loss: 0.0,
        }
    }

    /// Copies the rows `indices` of `data` into the part.
    pub fn gather(&mut self, data: &Data, indices: &[usize]) {
        self.batch.gather(&data.values, indices);
    }

    /// The forward and backward passes of the part's rows, with the products of parameters with
    /// inputs given or computed.
    pub fn compute(&mut self, p: &Params, t: &Transposed, products: Products) {
        self.loss = model::forward(p, t, &self.batch, &mut self.forward, products);
        model::backward(
            p,
            t,
            &self.batch,
            &self.forward,
            &mut self.backward,
            &mut self.sum,
        );
    }

    /// How many of the rows the network classifies right, after `compute` (before the step).
    pub fn correct(&self) -> usize {
        let (f, e) = (&self.forward, &self.batch);
        (0..e.rows)
            .filter(|&r| model::predicted_class(f, r) == model::true_class(e, r))
            .count()
    }
}

/// How many elements a row of parameter `index` has as its field stores it: a matrix's rows
/// (its columns, when it is stored transposed); anything else is rows of one element.
fn row_length(index: usize) -> usize {
    match (model::STORED_TRANSPOSED[index], PARAMS[index].1) {
        (true, [rows, _]) => *rows,
        (false, [_, columns]) => *columns,
        _ => 1,
    }
}

/// How many rows of its field parameter `index` has.
fn row_count(index: usize) -> usize {
    PARAMS[index].1.iter().product::<usize>() / row_length(index)
}

/// Rows of the register tiles of `kernels::outer_add_rows`: a row-product gradient is summed in
/// runs of a multiple of this many rows where it can be, so that every tile is whole.
const TILE_ROWS: usize = 12;

/// Gradient elements summed at a time, before the optimizer's step on them (32 KB in f32): few
/// enough to stay in the first-level cache until the optimizer reads them, and enough rows of a
/// large matrix that its product with the next batch (see `model::INPUT_PRODUCTS`) is summed in
/// few passes over the batch. For mnist-size, side by side: 8,192 ran at 174 and 180 GFLOP/s in
/// the loop where 16,384 ran at 170 and 4,096 at 170 (10 and 6 runs each).
pub const CHUNK: usize = 8192;

/// Room for the gradient of a run of rows of any parameter: `CHUNK` elements, or one row.
pub fn gradient_buffer() -> Vec<Real> {
    vec![0.0; room()]
}

/// The elements of `gradient_buffer`.
fn room() -> usize {
    let longest = (0..PARAMS.len()).map(row_length).max().unwrap_or(1);
    CHUNK.max(longest)
}

/// A thread's share of a parameter, worked out once for the whole run (a small network's step
/// is about a microsecond): rows `rows` of parameter `index`, rows of `length` elements, summed
/// and updated `run` rows at a time.
struct Share {
    index: usize,
    rows: std::ops::Range<usize>,
    length: usize,
    run: usize,
}

/// Thread `k`'s share of every parameter, when `threads` threads update them.
fn shares(k: usize, threads: usize) -> Vec<Share> {
    (0..PARAMS.len())
        .map(|index| Share {
            index,
            rows: share_rows(index, k, threads),
            length: row_length(index),
            run: rows_at_once(index, room()),
        })
        .collect()
}

/// The batch's gradient sum of rows `first …` of parameter `index` (as many rows as `out`
/// holds, flattened), over the rows of every part in order: computed from the rows' values for a
/// parameter of `model::ROW_PRODUCTS`, else added up from the parts' sums.
fn gradient_rows(index: usize, first: usize, out: &mut [Real], parts: &[&Part]) {
    // The first part's terms are written over `out`, which is never zeroed first.
    for (k, part) in parts.iter().enumerate() {
        if model::ROW_PRODUCTS[index] {
            let (e, f, b) = (&part.batch, &part.forward, &part.backward);
            model::add_gradient_rows(index, out, first, e, f, b, k > 0);
        } else {
            let start = first * row_length(index);
            let sum = &part.sum.values()[index][start..start + out.len()];
            if k == 0 {
                out.copy_from_slice(sum);
            } else {
                kernels::add_assign(out, sum);
            }
        }
    }
}

/// How many rows of parameter `index` to sum and update at once, with a buffer of `room`
/// elements.
fn rows_at_once(index: usize, room: usize) -> usize {
    let rows = (room / row_length(index)).max(1);
    if model::ROW_PRODUCTS[index] && rows > TILE_ROWS {
        rows - rows % TILE_ROWS
    } else {
        rows
    }
}

/// The batch's gradient sum of every parameter, over the rows of every part in order: what a
/// step sums a few rows at a time, whole (for the trainer's `gradient` command).
pub fn gradient_sum(parts: &[&Part]) -> Params {
    let mut sum = Params::zeros();
    let mut buffer = gradient_buffer();
    for (index, values) in sum.values_mut().into_iter().enumerate() {
        let length = row_length(index);
        let at_once = rows_at_once(index, buffer.len());
        for (run, out) in values.chunks_mut(at_once * length).enumerate() {
            let g = &mut buffer[..out.len()];
            gradient_rows(index, run * at_once, g, parts);
            out.copy_from_slice(g);
        }
    }
    sum
}

/// The optimizer's step on a thread's share of a parameter, given as `p` and the optimizer's
/// `state` for those rows only: a few rows at a time, their gradient summed over the parts into
/// `buffer`, then updated. With `products`, this thread's sums of the
/// parameter's product with an input for the next batch (a row per example of each part's
/// next rows; see `model::INPUT_PRODUCTS`), the updated rows' terms are added to them. Returns
/// whether the rows are still finite.
fn update_rows(
    step: &Step,
    share: &Share,
    p: &mut [Real],
    mut state: [&mut [Real]; STATE],
    parts: &[&Part],
    buffer: &mut [Real],
    mut products: Option<&mut [Vec<Real>]>,
) -> bool {
    let (index, length) = (share.index, share.length);
    let at_once = share.run * length;
    let mut first = share.rows.start;
    if let Some(sums) = products.as_deref_mut() {
        for (sum, part) in sums.iter_mut().zip(parts) {
            sum[..part.next.rows * length].fill(0.0);
        }
    }
    let mut finite = true;
    let mut start = 0;
    while start < p.len() {
        let end = (start + at_once).min(p.len());
        let state = state.each_mut().map(|s| &mut s[start..end]);
        let g: &[Real] = match parts {
            // One part's sum is the gradient sum itself.
            [part] if !model::ROW_PRODUCTS[index] => {
                let at = share.rows.start * length;
                &part.sum.values()[index][at + start..at + end]
            }
            _ => {
                let g = &mut buffer[..end - start];
                gradient_rows(index, first, g, parts);
                g
            }
        };
        finite &= optim::update(step, &mut p[start..end], g, state);
        // The updated rows' terms of the product with the next batch's inputs, while the rows
        // are in the cache.
        if let Some(sums) = products.as_deref_mut() {
            for (sum, part) in sums.iter_mut().zip(parts) {
                let (out, e) = (&mut sum[..part.next.rows * length], &part.next);
                model::add_input_product(index, out, &p[start..end], first, e);
            }
        }
        first += share.run;
        start = end;
    }
    finite
}

/// The rows of parameter `index` that thread `k` of `threads` updates: shares as even as whole
/// register tiles allow.
fn share_rows(index: usize, k: usize, threads: usize) -> std::ops::Range<usize> {
    let rows = row_count(index);
    let bound = |k: usize| {
        let even = k * rows / threads;
        if k == threads || !model::ROW_PRODUCTS[index] {
            even
        } else {
            ((even + TILE_ROWS / 2) / TILE_ROWS * TILE_ROWS).min(rows)
        }
    };
    bound(k)..bound(k + 1)
}

/// What the threads share: read by all while they compute a step, changed by the main thread
/// between steps.
struct Shared {
    params: Params,
    transposed: Transposed,
    /// The order of the rows in this epoch.
    order: Vec<usize>,
    /// The order of the rows in the next epoch, drawn when this one begins.
    next_order: Vec<usize>,
}

impl Shared {
    /// The rows of data of part `k` of `parts` of the batch `rows`.
    fn rows(&self, rows: Rows, k: usize, parts: usize) -> &[usize] {
        let order = if rows.next_epoch {
            &self.next_order
        } else {
            &self.order
        };
        share(&order[rows.start..rows.start + rows.count], k, parts)
    }
}

/// A batch: the positions `start .. start + count` of this epoch's order or the next one's.
#[derive(Clone, Copy)]
struct Rows {
    start: usize,
    count: usize,
    next_epoch: bool,
}

/// What a step's parts compute.
#[derive(Clone, Copy)]
struct Plan {
    rows: Rows,
    /// Whether the previous step gathered the rows and computed their products with the
    /// parameters (see `model::INPUT_PRODUCTS`).
    given: bool,
    /// The next step's batch, which this step gathers and computes those products for.
    next: Option<Rows>,
    /// Whether the parts count the rows they classify right: for the progress line and the loss
    /// log, which nothing else reads (for digits, a twentieth of a step).
    count: bool,
}

/// Each thread's sums of the products of parameters with inputs for the next batch: for
/// parameter `index` and part `k`, element `index · parts + k`, a row per example.
type ProductSums = RwLock<Vec<Vec<Real>>>;

/// The passes of part `k` of a step; the sum of its rows' losses, and how many of them the
/// network classifies right (for a classifier, when the plan counts them).
fn compute(
    k: usize,
    plan: Plan,
    s: &Shared,
    parts: &[RwLock<Part>],
    sums: &[ProductSums],
    data: &Data,
) -> (Real, usize) {
    let mut part = parts[k].write().unwrap_or_else(PoisonError::into_inner);
    let part = &mut *part;
    let products = if plan.given {
        std::mem::swap(&mut part.batch, &mut part.next);
        let n = part.batch.rows;
        for index in (0..PARAMS.len()).filter(|&i| model::INPUT_PRODUCTS[i]) {
            let out = model::input_product_mut(index, &mut part.forward, n);
            // Each updating thread's sum over its rows of the parameter, in order.
            for (t, sums) in sums.iter().enumerate() {
                let sums = sums.read().unwrap_or_else(PoisonError::into_inner);
                let sum = &sums[index * parts.len() + k][..out.len()];
                if t == 0 {
                    out.copy_from_slice(sum);
                } else {
                    kernels::add_assign(out, sum);
                }
            }
        }
        Products::Given
    } else {
        part.gather(data, s.rows(plan.rows, k, parts.len()));
        Products::Compute
    };
    if let Some(next) = plan.next {
        part.next.gather(&data.values, s.rows(next, k, parts.len()));
    }
    part.compute(&s.params, &s.transposed, products);
    (part.loss, if plan.count { part.correct() } else { 0 })
}

/// What the main thread asks a helper to do.
enum Job {
    /// Compute its part of a step.
    Compute(Plan),
    /// Update its share of every parameter (see `Update`).
    Update,
}

/// What a helper answers.
enum Reply {
    /// Its part is computed: the sum of its rows' losses, and how many it classifies right.
    Computed(Real, usize),
    /// Whether its share of the parameters is still finite.
    Updated(bool),
}

/// A tensor's elements as a pointer and a length, so that several threads can each change
/// their own rows of it at once.
#[derive(Clone, Copy)]
struct Raw {
    at: *mut Real,
    len: usize,
}

// SAFETY: a `Raw` is only used through `elements` and `write_transposed`, under the rules
// written there.
unsafe impl Send for Raw {}
unsafe impl Sync for Raw {}

impl Raw {
    fn new(slice: &mut [Real]) -> Raw {
        Raw {
            at: slice.as_mut_ptr(),
            len: slice.len(),
        }
    }

    /// Writes `rows`, rows `first …` of a matrix with `m` rows of `k` elements each, into
    /// this transposed copy of it: element [i, j] to element [j, i].
    ///
    /// SAFETY: as for `elements`, with the elements [j, first …] of every j in place of a
    /// range: only the thread that updated those rows of the matrix writes them, and nothing
    /// reads the copy until every helper has answered.
    unsafe fn write_transposed(self, rows: &[Real], first: usize, m: usize, k: usize) {
        let count = rows.len() / k.max(1);
        // 16 rows at a time, which fill a cache line of each row of the copy.
        for block in (0..count).step_by(16) {
            let block = block..(block + 16).min(count);
            for j in 0..k {
                for r in block.clone() {
                    let at = j * m + first + r;
                    if at < self.len {
                        // SAFETY: `at` lies inside the copy, and no other thread writes it now.
                        unsafe { self.at.add(at).write(rows[r * k + j]) };
                    }
                }
            }
        }
    }

    /// The elements `range` (clamped to the tensor).
    ///
    /// SAFETY: the slice this was made from must stay borrowed, and unused otherwise, while the
    /// elements are in use, and no two threads may use the same elements at once. `Update`
    /// keeps these rules: the main thread holds every borrow until all the helpers have
    /// answered, and thread `k` uses the rows `share_rows(…, k, …)` only, which are disjoint.
    unsafe fn elements<'a>(self, range: std::ops::Range<usize>) -> &'a mut [Real] {
        let end = range.end.min(self.len);
        let start = range.start.min(end);
        // SAFETY: `start..end` lies inside the slice, which is alive and not otherwise used.
        unsafe { std::slice::from_raw_parts_mut(self.at.add(start), end - start) }
    }
}

/// One step's update, shared among the threads: each parameter's values and the optimizer's
/// tensors for it, in that order; the transposed copies of parameters, with the index of the
/// parameter each copies; and the step's numbers.
struct Update {
    step: Option<Step>,
    tensors: Vec<Raw>,
    copies: Vec<(usize, Raw)>,
    /// Whether there is a next batch to compute the products of parameters with inputs for.
    next: bool,
}

impl Update {
    /// An update of no step yet.
    fn new() -> Update {
        Update {
            step: None,
            tensors: Vec::new(),
            copies: Vec::new(),
            next: false,
        }
    }

    /// Points the update at this step's numbers and at every tensor the step changes: the
    /// parameters, their transposed copies and the optimizer's state.
    fn prepare(
        &mut self,
        (step, next): (Step, bool),
        (params, transposed, optimizer): (&mut Params, &mut Transposed, &mut Optimizer),
    ) {
        self.step = Some(step);
        self.next = next;
        self.tensors.clear();
        self.copies.clear();
        for (index, copy) in transposed.copies_mut() {
            self.copies.push((index, Raw::new(copy)));
        }
        let states = optimizer.state();
        for (p, state) in params.values_mut().into_iter().zip(states) {
            self.tensors.push(Raw::new(p));
            for tensor in state {
                self.tensors.push(Raw::new(tensor));
            }
        }
    }

    /// Updates thread `k`'s share of every parameter: sums its gradient over the parts, a few
    /// rows at a time, and takes the optimizer's step on them; then writes the rows into the
    /// parameter's transposed copy, if it has one. Returns whether the share is still finite.
    fn share(
        &self,
        own: &[Share],
        parts: &[RwLock<Part>],
        sums: &ProductSums,
        buffer: &mut [Real],
    ) -> bool {
        let Some(step) = &self.step else {
            return true;
        };
        // One part, as on one thread: no list to make (XOR's step, 0.27 µs, takes 3% longer
        // with one).
        if let [part] = parts {
            let part = part.read().unwrap_or_else(PoisonError::into_inner);
            return self.share_of(own, step, &[&*part], sums, buffer);
        }
        let read: Vec<_> = parts
            .iter()
            .map(|part| part.read().unwrap_or_else(PoisonError::into_inner))
            .collect();
        let parts: Vec<&Part> = read.iter().map(|part| &**part).collect();
        self.share_of(own, step, &parts, sums, buffer)
    }

    /// `share`, with the parts read.
    fn share_of(
        &self,
        own: &[Share],
        step: &Step,
        parts: &[&Part],
        sums: &ProductSums,
        buffer: &mut [Real],
    ) -> bool {
        // The sums of products are written only when there is a next batch to compute them for.
        let mut sums = self
            .next
            .then(|| sums.write().unwrap_or_else(PoisonError::into_inner));
        let mut finite = true;
        for (own, tensor) in own.iter().zip(self.tensors.chunks_exact(1 + STATE)) {
            let (index, rows, length) = (own.index, &own.rows, own.length);
            let elements = rows.start * length..rows.end * length;
            // SAFETY: see `Raw::elements`; `tensors` holds disjoint tensors, each once.
            let share = |raw: Raw| unsafe { raw.elements(elements.clone()) };
            let state: [&mut [Real]; STATE] = std::array::from_fn(|i| share(tensor[1 + i]));
            let p = share(tensor[0]);
            let n = parts.len();
            let products = sums
                .as_mut()
                .filter(|_| model::INPUT_PRODUCTS[index])
                .map(|sums| &mut sums[index * n..(index + 1) * n]);
            finite &= update_rows(step, own, p, state, parts, buffer, products);
            for (of, copy) in &self.copies {
                if let (true, [m, k]) = (*of == index, PARAMS[index].1) {
                    // SAFETY: see `Raw::write_transposed`; this thread updated these rows.
                    unsafe { copy.write_transposed(p, rows.start, *m, *k) };
                }
            }
        }
        finite
    }
}

/// Parameters this many or more are updated by all the threads, each its share; fewer, by the
/// main thread alone.
const SHARED_UPDATE: usize = 65536;

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
        next_order: (0..data.rows).collect(),
    });
    let capacity = batch.div_ceil(threads);
    let parts: Vec<RwLock<Part>> = (0..threads)
        .map(|_| RwLock::new(Part::new(capacity)))
        .collect();
    let size: usize = PARAMS
        .iter()
        .map(|(_, shape)| shape.iter().product::<usize>())
        .sum();
    let sharing = if size >= SHARED_UPDATE { threads } else { 1 };
    let update = RwLock::new(Update::new());
    // Room for the sums of each product of a parameter with an input, for each part's rows.
    let product_sums = |_| {
        let sums = (0..PARAMS.len())
            .flat_map(|index| {
                let room = if model::INPUT_PRODUCTS[index] {
                    capacity * row_length(index)
                } else {
                    0
                };
                (0..threads).map(move |_| vec![0.0; room])
            })
            .collect();
        RwLock::new(sums)
    };
    let sums: Vec<ProductSums> = (0..sharing).map(product_sums).collect();
    let report = std::thread::scope(|scope| {
        // Every thread but this one: a channel of jobs to it, and one of answers back.
        let mut helpers = Vec::new();
        for k in 1..threads {
            let (jobs, inbox) = mpsc::sync_channel::<Job>(1);
            let (outbox, done) = mpsc::sync_channel::<Reply>(1);
            let (shared, update, parts, sums) = (&shared, &update, &parts, &sums);
            scope.spawn(move || {
                kernels::flush_denormals();
                let mut buffer = gradient_buffer();
                let own = if k < sharing {
                    shares(k, sharing)
                } else {
                    Vec::new()
                };
                while let Some(job) = receive(&inbox) {
                    let reply = match job {
                        Job::Compute(plan) => {
                            let s = shared.read().unwrap_or_else(PoisonError::into_inner);
                            let (loss, correct) = compute(k, plan, &s, parts, sums, data);
                            Reply::Computed(loss, correct)
                        }
                        Job::Update => {
                            let u = update.read().unwrap_or_else(PoisonError::into_inner);
                            // Only the first `sharing` threads are asked to update.
                            Reply::Updated(u.share(&own, parts, &sums[k], &mut buffer))
                        }
                    };
                    if outbox.send(reply).is_err() {
                        break;
                    }
                }
            });
            helpers.push(Helper { jobs, done });
        }
        let threads = Threads {
            shared: &shared,
            update: &update,
            parts: &parts,
            sums: &sums,
            helpers: &helpers,
            sharing,
        };
        steps(data, settings, threads)
    })?;
    let (epochs, stopped) = report;
    *params = shared
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .params;
    Ok(Report {
        epochs,
        threads,
        by_units: false,
        stopped,
    })
}

/// A helper thread, as the main thread sees it.
struct Helper {
    /// Where to send it jobs.
    jobs: mpsc::SyncSender<Job>,
    /// Where its answers come back.
    done: Receiver<Reply>,
}

/// What the threads of training share, as the main thread sees it.
#[derive(Clone, Copy)]
struct Threads<'a> {
    shared: &'a RwLock<Shared>,
    update: &'a RwLock<Update>,
    /// Each thread's part of a batch: the main thread's first.
    parts: &'a [RwLock<Part>],
    /// The sums of each thread that updates a share of the parameters.
    sums: &'a [ProductSums],
    helpers: &'a [Helper],
    /// How many threads update a share of the parameters.
    sharing: usize,
}

/// The epochs of training, on this thread and the helpers; the time of each epoch, and where a
/// signal stopped training, if one did.
fn steps(
    data: &Data,
    settings: &Settings,
    threads: Threads,
) -> Result<(Vec<f64>, Option<Stopped>), String> {
    let Threads {
        shared,
        parts,
        sums,
        helpers,
        ..
    } = threads;
    let mut keeper = Keeper::new(settings)?;
    let mut optimizer = Optimizer::new(settings.lr, &PARAMS);
    let mut buffer = gradient_buffer();
    let mut solo = Update::new();
    // This thread's share of every parameter, on its own or with the others.
    let (alone, first) = (shares(0, 1), shares(0, threads.sharing));
    // The shuffle has a generator of its own (seed + 1), independent of the starting values.
    let mut rng = Rng::new(settings.seed.wrapping_add(1));
    let mut progress = Progress::new(settings.epochs, settings.quiet);
    let mut times = Vec::new();
    let mut stopped = None;
    let rows = data.rows;
    let write = || shared.write().unwrap_or_else(PoisonError::into_inner);
    // A fresh order of the rows for an epoch (the same draws, in the same order, whether the
    // next epoch's order is drawn early or not).
    let mut draw = |order: &mut Vec<usize>| {
        if settings.shuffle {
            shuffled(order, &mut rng);
        }
    };
    // A step computes the products of parameters with inputs for the next batch, when the model
    // has any (see `model::INPUT_PRODUCTS`).
    let ahead = model::INPUT_PRODUCTS.contains(&true);
    let mut given = false;
    // The accuracy is shown on the progress line and written to the log, if there are any.
    let counted = !settings.quiet || settings.log.is_some();
    'epochs: for epoch in 1..=settings.epochs {
        let started = Instant::now();
        {
            let s = &mut *write();
            if epoch == 1 {
                draw(&mut s.order);
            } else {
                std::mem::swap(&mut s.order, &mut s.next_order);
            }
            if epoch < settings.epochs {
                draw(&mut s.next_order);
            }
        }
        let mut total = 0.0;
        let mut correct = 0;
        let batch = settings.batch.max(1);
        for (index, start) in (0..rows).step_by(batch).enumerate() {
            let end = (start + batch).min(rows);
            let count = end - start;
            // The next batch: the next of this epoch, or the first of the next epoch.
            let next = if end < rows {
                Some(Rows {
                    start: end,
                    count: batch.min(rows - end),
                    next_epoch: false,
                })
            } else {
                (epoch < settings.epochs).then_some(Rows {
                    start: 0,
                    count: batch.min(rows),
                    next_epoch: true,
                })
            };
            let plan = Plan {
                rows: Rows {
                    start,
                    count,
                    next_epoch: false,
                },
                given,
                next: next.filter(|_| ahead),
                count: counted,
            };
            given = plan.next.is_some();
            for helper in helpers {
                let _ = helper.jobs.send(Job::Compute(plan));
            }
            let (mut batch_total, mut right) = {
                let s = shared.read().unwrap_or_else(PoisonError::into_inner);
                compute(0, plan, &s, parts, sums, data)
            };
            for helper in helpers {
                let Some(Reply::Computed(loss, count)) = receive(&helper.done) else {
                    return Err("a training thread stopped".to_string());
                };
                batch_total += loss;
                right += count;
            }
            correct += right;
            let at = || format!("epoch {epoch}, batch {}", index + 1);
            let mut s = write();
            if !batch_total.is_finite() {
                let what = format!("the loss is {batch_total}");
                return Err(diverged(&at(), &what, &s.params, settings));
            }
            let step = optimizer.begin(count);
            let s = &mut *s;
            let finite = shared_step(
                (step, plan.next.is_some()),
                (&mut s.params, &mut s.transposed),
                &mut optimizer,
                (threads, &mut solo),
                (&alone, &first),
                &mut buffer,
            )?;
            if !finite {
                let element = non_finite(&s.params).unwrap_or_default();
                let what = format!("{element} after the step");
                return Err(diverged(&at(), &what, &s.params, settings));
            }
            total += batch_total;
            if let Some(signal) = checkpoint::stop_requested().filter(|_| end < rows) {
                let batch = Some(index + 1);
                stopped = Some(Stopped {
                    signal,
                    epoch,
                    batch,
                });
                break 'epochs;
            }
            if end < rows && keeper.due(false) {
                keeper.keep(&s.params)?;
            }
        }
        times.push(started.elapsed().as_secs_f64());
        let loss = total / rows as Real;
        let accuracy = counted.then(|| correct as Real / rows as Real);
        progress.epoch(epoch, loss, accuracy);
        keeper.epoch(epoch, loss, accuracy)?;
        if epoch == settings.epochs {
            // Kept below, whatever the clock says.
            break;
        }
        if let Some(signal) = checkpoint::stop_requested() {
            let batch = None;
            stopped = Some(Stopped {
                signal,
                epoch,
                batch,
            });
            break;
        }
        if keeper.due(true) {
            keeper.keep(&shared.read().unwrap_or_else(PoisonError::into_inner).params)?;
        }
    }
    progress.finish();
    keeper.keep(&shared.read().unwrap_or_else(PoisonError::into_inner).params)?;
    Ok((times, stopped))
}

/// Puts `order` (the rows 0…n−1, in any order) in a fresh random order: a Fisher–Yates shuffle
/// of 0…n−1, so an epoch's order depends only on the draws before it.
pub fn shuffled(order: &mut [usize], rng: &mut Rng) {
    for (i, row) in order.iter_mut().enumerate() {
        *row = i;
    }
    rng.shuffle(order);
}

/// The optimizer's step on the parameters, each thread taking its share of every tensor (see
/// `Update`), or this thread all of them when the parameters are too few to share; with
/// `next`, the products of parameters with inputs for the next batch as well. Returns whether
/// every parameter is finite.
fn shared_step(
    (step, next): (Step, bool),
    (params, transposed): (&mut Params, &mut Transposed),
    optimizer: &mut Optimizer,
    (threads, solo): (Threads, &mut Update),
    (alone, first): (&[Share], &[Share]),
    buffer: &mut [Real],
) -> Result<bool, String> {
    let Threads {
        update,
        parts,
        sums,
        helpers,
        sharing,
        ..
    } = threads;
    // The borrows the update's raw views come from (`params`, `transposed`, `optimizer`) are
    // held and not used again until every helper has answered below.
    let tensors = (params, transposed, optimizer);
    if sharing == 1 {
        // This thread alone: no other thread reads the update, so it needs no lock.
        solo.prepare((step, next), tensors);
        return Ok(solo.share(alone, parts, &sums[0], buffer));
    }
    update
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .prepare((step, next), tensors);
    let helpers = &helpers[..sharing - 1];
    for helper in helpers {
        let _ = helper.jobs.send(Job::Update);
    }
    let u = update.read().unwrap_or_else(PoisonError::into_inner);
    let mut finite = u.share(first, parts, &sums[0], buffer);
    for helper in helpers {
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
        loss += model::forward(p, t, &batch, &mut forward, Products::Compute);
        correct += (0..chunk.len())
            .filter(|&r| model::predicted_class(&forward, r) == model::true_class(&batch, r))
            .count();
    }
    (loss, correct)
}

/// The first parameter element that is NaN or infinite, named: `W1[0, 2] is NaN`.
pub fn non_finite(params: &Params) -> Option<String> {
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
pub fn diverged(at: &str, what: &str, params: &Params, settings: &Settings) -> String {
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
