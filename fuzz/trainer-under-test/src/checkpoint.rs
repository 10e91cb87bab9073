//! What training keeps as it goes: the weights (`--save`) and the loss log (`--log`), written
//! on a clock, and what it does when asked to stop.
//!
//! A checkpoint is written at most every `--save-every` seconds of training (default 1; 0:
//! after every epoch), always after the last epoch, and when Ctrl-C or SIGTERM asks the run to
//! stop: the step under way is finished, the weights are saved, and the program says where they
//! are. Every save is atomic and durable: the weights go into a temporary file, which is flushed
//! to the disk and renamed over the checkpoint, and then the directory is flushed, so a run
//! killed at any moment (even by SIGKILL or a power failure) leaves a whole weights file. The
//! flushes wait for the disk: they run on a thread of their own (`Saving`) while training, or the
//! final score, goes on.

use std::io::Write as _;
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::Real;
use crate::model::Params;
use crate::progress::{Log, Progress};
use crate::train::Settings;
use crate::weights;
use crate::words;

/// The weights file being kept, and a buffer for its JSON reused from one save to the next.
pub struct Checkpoint {
    path: String,
    temporary: String,
    json: String,
    /// The class labels the weights were trained with.
    labels: Vec<String>,
    /// The last save, while it reaches the disk.
    saving: Saving,
}

impl Checkpoint {
    pub fn new(path: &str, labels: &[String]) -> Checkpoint {
        Checkpoint {
            path: path.to_string(),
            temporary: format!("{path}.partial"),
            json: String::new(),
            labels: labels.to_vec(),
            saving: Saving::default(),
        }
    }

    /// Writes `params` to the temporary file, then (in `Saving`) flushes it to the disk, renames
    /// it over the checkpoint and flushes the directory, which records the rename. A reader (or
    /// a run killed meanwhile) sees the previous weights or these, never a mixture. The previous
    /// save has reached the disk before its temporary file is written again.
    pub fn save(&mut self, params: &Params) -> Result<(), String> {
        std::mem::take(&mut self.saving).wait()?;
        self.json.clear();
        weights::write_json(&mut self.json, params, &self.labels)?;
        let written = std::fs::File::create(&self.temporary).and_then(|mut file| {
            file.write_all(self.json.as_bytes())?;
            Ok(file)
        });
        let file = match written {
            Ok(file) => file,
            Err(e) => {
                let _ = std::fs::remove_file(&self.temporary);
                return Err(words::cannot_write_weights(e, &self.path));
            }
        };
        let (path, temporary) = (self.path.clone(), self.temporary.clone());
        self.saving = Saving {
            thread: Some(std::thread::spawn(move || {
                file.sync_all()?;
                std::fs::rename(&temporary, &path)?;
                sync_directory(&path)
            })),
            path: self.path.clone(),
            temporary: self.temporary.clone(),
        };
        Ok(())
    }

    /// The last save, still reaching the disk (or done).
    pub fn into_saving(self) -> Saving {
        self.saving
    }
}

/// A save on its way to the disk: its file flushed, renamed over the checkpoint and the directory
/// flushed, on a thread of its own. `wait` says whether it got there; dropping it waits too, so
/// no way out of the program leaves the rename undone.
#[derive(Default)]
pub struct Saving {
    thread: Option<JoinHandle<std::io::Result<()>>>,
    path: String,
    temporary: String,
}

impl Saving {
    /// Waits until the weights are on the disk under their name.
    pub fn wait(mut self) -> Result<(), String> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        let flushed = thread
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the thread writing them stopped")));
        flushed.map_err(|e| {
            let _ = std::fs::remove_file(&self.temporary);
            words::cannot_write_weights(e, &self.path)
        })
    }
}

impl Drop for Saving {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Flushes the directory holding `path` to the disk, so that a rename into it is kept. Windows
/// cannot open a directory as a file; there the rename is as durable as the system makes it.
fn sync_directory(path: &str) -> std::io::Result<()> {
    let directory = match std::path::Path::new(path).parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    match std::fs::File::open(directory) {
        Ok(directory) => directory.sync_all(),
        Err(_) if cfg!(not(unix)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// When to write: every `every` of training, or after every epoch.
pub struct Clock {
    /// `None`: after every epoch (`--save-every 0`).
    every: Option<Duration>,
    /// When the weights were last written (or training began).
    last: Instant,
    /// Steps until the time is read again, and how many steps apart it is read: about a
    /// millisecond apart, so that steps as short as XOR's (a third of a microsecond) do not
    /// spend a tenth of their time reading it.
    countdown: u32,
    stride: u32,
    read: Instant,
}

impl Clock {
    /// A clock that strikes every `seconds` (0: after every epoch).
    pub fn new(seconds: f64) -> Clock {
        let now = Instant::now();
        Clock {
            every: (seconds > 0.0).then(|| Duration::from_secs_f64(seconds)),
            last: now,
            countdown: 1,
            stride: 1,
            read: now,
        }
    }

    /// Whether it is time to write, after a step (the last of its epoch, if `epoch_end`).
    pub fn due(&mut self, epoch_end: bool) -> bool {
        let Some(every) = self.every else {
            return epoch_end;
        };
        self.countdown -= 1;
        if self.countdown > 0 {
            return false;
        }
        let now = Instant::now();
        let since = now.duration_since(self.read);
        self.read = now;
        if since < Duration::from_micros(500) {
            self.stride = (self.stride * 2).min(1 << 20);
        } else if since > Duration::from_millis(2) {
            self.stride = (self.stride / 2).max(1);
        }
        self.countdown = self.stride;
        now.duration_since(self.last) >= every
    }

    /// Starts the next interval: the weights were just written.
    pub fn restart(&mut self) {
        self.last = Instant::now();
    }
}

/// What training shows and keeps as it goes: the progress line, and the checkpoint and the log
/// on one clock.
pub struct Keeper {
    progress: Progress,
    checkpoint: Option<Checkpoint>,
    log: Option<Log>,
    clock: Clock,
}

impl Keeper {
    /// What `settings` asks to keep; creates the log, and from now on catches Ctrl-C and
    /// SIGTERM (see `stop_requested`).
    pub fn new(settings: &Settings) -> Result<Keeper, String> {
        let log = match &settings.log {
            Some(path) => Some(Log::create(path)?),
            None => None,
        };
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        signals::catch();
        let save = settings.save.as_deref();
        Ok(Keeper {
            progress: Progress::new(settings.epochs, settings.quiet),
            checkpoint: save.map(|path| Checkpoint::new(path, &settings.labels)),
            log,
            clock: Clock::new(settings.save_every),
        })
    }

    /// Whether anything is written on the clock.
    pub fn keeping(&self) -> bool {
        self.checkpoint.is_some() || self.log.is_some()
    }

    /// Whether it is time to write, after a step (the last of its epoch, if `epoch_end`).
    pub fn due(&mut self, epoch_end: bool) -> bool {
        self.keeping() && self.clock.due(epoch_end)
    }

    /// Shows an epoch's loss on the progress line, and adds its line to the log if there is one
    /// (written out when the clock strikes).
    pub fn epoch(&mut self, epoch: u64, loss: Real, accuracy: Option<Real>) -> Result<(), String> {
        self.progress.epoch(epoch, loss, accuracy);
        match &mut self.log {
            Some(log) => log.write(epoch, loss, accuracy),
            None => Ok(()),
        }
    }

    /// The end of training: the progress line ends, and the weights `params` and the log are
    /// kept; the weights may still be on their way to the disk (`Saving::wait`).
    pub fn finish(mut self, params: &Params) -> Result<Saving, String> {
        self.progress.finish();
        self.keep(params)?;
        let saving = self.checkpoint.map(Checkpoint::into_saving);
        Ok(saving.unwrap_or_default())
    }

    /// Writes the weights `params` and the log's lines so far.
    pub fn keep(&mut self, params: &Params) -> Result<(), String> {
        if let Some(checkpoint) = &mut self.checkpoint {
            checkpoint.save(params)?;
        }
        if let Some(log) = &mut self.log {
            log.flush()?;
        }
        self.clock.restart();
        Ok(())
    }
}

/// The signal that asked the run to stop, once one has: 2 (SIGINT, Ctrl-C) or 15 (SIGTERM).
static STOP: AtomicI32 = AtomicI32::new(0);

/// The signal that asked training to stop, if one has: training then finishes its step, keeps
/// the weights and stops.
pub fn stop_requested() -> Option<i32> {
    match STOP.load(Ordering::Relaxed) {
        0 => None,
        signal => Some(signal),
    }
}

/// The name of a stopping signal, for people.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        2 => "Ctrl-C (SIGINT)",
        _ => "SIGTERM",
    }
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
mod signals {
    //! Catching SIGINT and SIGTERM through the C library's `sigaction` (which the standard
    //! library links already). The handler only records the signal; training reads it between
    //! steps. It is installed for one signal only: a second Ctrl-C stops the program at once.

    use std::sync::atomic::Ordering;

    /// `struct sigaction` of Linux's C libraries (glibc, musl): the handler, the signals blocked
    /// while it runs (1,024 bits), the flags and a restorer the C library fills in itself.
    #[cfg(target_os = "linux")]
    #[repr(C)]
    struct SigAction {
        handler: extern "C" fn(i32),
        mask: [usize; 128 / size_of::<usize>()],
        flags: i32,
        restorer: usize,
    }

    /// `struct sigaction` of macOS: the handler, the signals blocked while it runs, the flags.
    #[cfg(target_os = "macos")]
    #[repr(C)]
    struct SigAction {
        handler: extern "C" fn(i32),
        mask: u32,
        flags: i32,
    }

    /// Restart the calls the signal interrupts; reset to the default action once it arrives.
    #[cfg(target_os = "linux")]
    const FLAGS: i32 = 0x1000_0000 | 0x8000_0000_u32 as i32;
    #[cfg(target_os = "macos")]
    const FLAGS: i32 = 0x0002 | 0x0004;

    unsafe extern "C" {
        fn sigaction(signal: i32, action: *const SigAction, previous: *mut SigAction) -> i32;
    }

    extern "C" fn record(signal: i32) {
        // An atomic store is safe in a signal handler.
        super::STOP.store(signal, Ordering::Relaxed);
    }

    /// Records SIGINT (2) and SIGTERM (15) in `STOP` rather than ending the program.
    pub fn catch() {
        #[cfg(target_os = "linux")]
        let action = SigAction {
            handler: record,
            mask: [0; 128 / size_of::<usize>()],
            flags: FLAGS,
            restorer: 0,
        };
        #[cfg(target_os = "macos")]
        let action = SigAction {
            handler: record,
            mask: 0,
            flags: FLAGS,
        };
        for signal in [2, 15] {
            // SAFETY: `action` is a whole `struct sigaction`, which the call only reads (no
            // previous action is asked for); its handler only stores into an atomic.
            unsafe { sigaction(signal, &action, std::ptr::null_mut()) };
        }
    }
}
