//! Diagnostics to text: the one place that knows how an error looks on screen.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

use nabla::diagnostic::{Diagnostic, Severity};

pub struct Reporter {
    file: SimpleFile<String, String>,
    color: bool,
}

impl Reporter {
    pub fn new(name: &str, text: &str, color: bool) -> Reporter {
        Reporter {
            file: SimpleFile::new(name.to_string(), printable(text)),
            color,
        }
    }

    /// The file's name as diagnostics show it.
    pub fn name(&self) -> &str {
        self.file.name()
    }

    /// Writes the diagnostics to standard error, then a one-line count of the errors.
    pub fn emit(&self, diagnostics: &[Diagnostic]) {
        let text = self.render(diagnostics);
        eprint!("{text}");
    }

    pub fn render(&self, diagnostics: &[Diagnostic]) -> String {
        let config = Config::default();
        let mut out = String::new();
        for diagnostic in diagnostics {
            let report = match self.unshowable_line(diagnostic) {
                Some(place) => to_report_without_source(diagnostic, &place),
                None => to_report(diagnostic),
            };
            if self.color {
                let mut buffer = term::termcolor::Ansi::new(Vec::new());
                let styles = term::Styles::default();
                let mut writer = term::StylesWriter::new(&mut buffer, &styles);
                if term::emit_to_write_style(&mut writer, &config, &self.file, &report).is_ok() {
                    out.push_str(&String::from_utf8_lossy(&buffer.into_inner()));
                }
            } else if let Ok(text) = term::emit_into_string(&config, &self.file, &report) {
                out.push_str(&text);
            }
        }
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            let name = self.file.name();
            out.push_str(&match errors {
                1 => format!("{name}: 1 error\n"),
                n => format!("{name}: {n} errors\n"),
            });
        }
        out
    }
}

/// Lines longer than this are not printed whole under a diagnostic.
const MAX_SHOWN_LINE: usize = 300;

impl Reporter {
    /// For a diagnostic on a line too long to print, where it is, described in words.
    fn unshowable_line(&self, diagnostic: &Diagnostic) -> Option<String> {
        let text = self.file.source();
        let start = (diagnostic.span.start as usize).min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let length = text[line_start..line_end].chars().count();
        if length <= MAX_SHOWN_LINE {
            return None;
        }
        let (line, column) = nabla::span::line_col(text, start);
        let near: String = text[start..line_end].chars().take(40).collect();
        Some(format!(
            "at {}:{line}:{column}, on a line of {length} characters, too long to show; it reads there: `{near}…`",
            self.file.name()
        ))
    }
}

fn to_report_without_source(diagnostic: &Diagnostic, place: &str) -> Report<()> {
    let mut notes = vec![place.to_string()];
    if !diagnostic.label.is_empty() {
        notes.push(diagnostic.label.clone());
    }
    if let Some(help) = &diagnostic.help {
        notes.push(format!("help: {help}"));
    }
    Report::new(match diagnostic.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
    })
    .with_message(&diagnostic.message)
    .with_notes(notes)
}

fn to_report(diagnostic: &Diagnostic) -> Report<()> {
    let severity = match diagnostic.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
    };
    let mut labels =
        vec![Label::primary((), diagnostic.span.range()).with_message(&diagnostic.label)];
    labels.extend(
        diagnostic
            .notes
            .iter()
            .map(|note| Label::secondary((), note.span.range()).with_message(&note.message)),
    );
    let mut report = Report::new(severity)
        .with_message(&diagnostic.message)
        .with_labels(labels);
    if let Some(help) = &diagnostic.help {
        report = report.with_notes(vec![format!("help: {help}")]);
    }
    report
}

/// The source as it can safely be shown on a terminal: control characters (other than tab and
/// newline) become `?` or `¿`, whichever has the same length in bytes, so spans still point at the
/// same places.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' | '\r' => c,
            c if c.is_control() && c.len_utf8() == 1 => '?',
            c if c.is_control() => '¿',
            c => c,
        })
        .collect()
}
