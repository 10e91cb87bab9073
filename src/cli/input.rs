//! Reading a .nabla file (or standard input) into text, or into a diagnostic when the bytes are
//! not text.

use std::io::Read;
use std::process::ExitCode;

use nabla::diagnostic::Diagnostic;

use super::EXIT_USAGE;

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
                eprintln!("nabla: cannot read {name}: {}", describe(&error));
                return Err(ExitCode::from(EXIT_USAGE));
            }
        };
        if bytes.len() as u64 > MAX_SOURCE_BYTES {
            eprintln!(
                "nabla: {name} is larger than {} MB; is it really a .nabla file?",
                MAX_SOURCE_BYTES >> 20
            );
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

fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => error.to_string(),
    }
}
