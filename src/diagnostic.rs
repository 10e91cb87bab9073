//! Errors and warnings as data.
//!
//! A [`Diagnostic`] is a kind of problem plus the spans it is about, with its message as a
//! phrase of the catalogues and its arguments (in no language yet). Nothing here renders or
//! prints: the boundary (src/cli/report.rs) says the diagnostics in the user's language, which
//! keeps every stage free of I/O and lets tests inspect what went wrong without parsing output.

use crate::span::Span;
use crate::words::Message;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A secondary place that helps explain the problem ("first declared here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub span: Span,
    pub message: Message,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: Kind,
    /// One line saying what is wrong.
    pub message: Message,
    /// Where it is wrong.
    pub span: Span,
    /// A few words under the underline.
    pub label: Option<Message>,
    pub notes: Vec<Note>,
    /// A suggestion of what to write instead.
    pub help: Option<Message>,
}

/// What kind of problem a diagnostic reports. Tests match on it; the renderer shows it as a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    NotText,
    Syntax,
    UnclosedBracket,
    TooDeep,
    BadNumber,
    UnknownName,
    UnknownFunction,
    Redeclared,
    Cycle,
    ShapeMismatch,
    NotScalar,
    NotConstant,
    MissingLoss,
    SecondLoss,
    ValueShape,
    DivisionByZero,
    BadDimension,
    BadArgument,
    UnknownOptimizer,
    UnknownInitializer,
    BadDeclaration,
    Unused,
    TooLarge,
    /// A float computation produced NaN or infinity.
    NotFinite,
    /// A function applied outside its domain (log of 0, sqrt of a negative).
    Domain,
}

impl Diagnostic {
    pub fn error(kind: Kind, span: Span, message: Message) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            kind,
            message,
            span,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(kind: Kind, span: Span, message: Message) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, span, message)
        }
    }

    pub fn with_label(mut self, label: Message) -> Diagnostic {
        self.label = Some(label);
        self
    }

    pub fn with_note(mut self, span: Span, message: Message) -> Diagnostic {
        self.notes.push(Note { span, message });
        self
    }

    pub fn with_help(mut self, help: Message) -> Diagnostic {
        self.help = Some(help);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Diagnostics collected by a stage. A stage keeps going after an error where it can, so that one
/// run reports every independent problem of a file.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// In source order, which is the order a reader fixes them in.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by_key(|d| (d.span.start, d.span.end));
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

/// Text quoted in a message, shortened when long: a message is one line a person reads.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX - 1).collect();
        format!("{head}…")
    }
}
