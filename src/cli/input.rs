//! Reading a .nabla file (or standard input) into text, or into a diagnostic when the bytes are
//! not text.

use std::io::Read;
use std::process::ExitCode;

use nabla::diagnostic::Diagnostic;
use nabla::words::{Message, phrase};

use super::{EXIT_USAGE, complain};

/// The most a source file may hold. A network description is a few kilobytes; this only stops a
/// mistaken path (a data set, a disk image) from being read whole.
const MAX_SOURCE_BYTES: u64 = 64 << 20;

pub struct Source {
    /// How diagnostics name the file: its path, or `<stdin>`.
    pub name: String,
    /// The text, or why the bytes are not text.
    pub text: Result<String, Diagnostic>,
    /// What the diagnostic renderer shows: the text, or a lossy decoding of the bytes.
    pub display_text: String,
}

impl Source {
    /// Reads `path` (`-` for standard input). An I/O failure is reported here, as exit code 2.
    pub fn read(path: &str) -> Result<Source, ExitCode> {
        let (name, bytes) = if path == "-" {
            let mut bytes = Vec::new();
            let read = std::io::stdin()
                .lock()
                .take(MAX_SOURCE_BYTES + 1)
                .read_to_end(&mut bytes);
            ("<stdin>".to_string(), read.map(|_| bytes))
        } else {
            let read = std::fs::File::open(path).and_then(|file| {
                let mut bytes = Vec::new();
                file.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes)?;
                Ok(bytes)
            });
            (path.to_string(), read)
        };
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(error) => {
                complain(&phrase::cannot_read(&name, describe(&error)));
                return Err(ExitCode::from(EXIT_USAGE));
            }
        };
        if bytes.len() as u64 > MAX_SOURCE_BYTES {
            complain(&phrase::source_too_large(&name, MAX_SOURCE_BYTES >> 20));
            return Err(ExitCode::from(EXIT_USAGE));
        }
        Ok(match nabla::syntax::decode(&bytes) {
            Ok(text) => Source {
                name,
                text: Ok(text.to_string()),
                display_text: text.to_string(),
            },
            Err(not_text) => Source {
                name,
                text: Err(not_text.diagnostic),
                display_text: not_text.lossy,
            },
        })
    }
}

/// Why a file cannot be read, in words (the system's own, for a rare error).
pub fn describe(error: &std::io::Error) -> Message {
    match error.kind() {
        std::io::ErrorKind::NotFound => phrase::no_such_file(),
        std::io::ErrorKind::PermissionDenied => phrase::permission_denied(),
        std::io::ErrorKind::IsADirectory => phrase::is_a_directory(),
        _ => phrase::verbatim(error.to_string()),
    }
}
