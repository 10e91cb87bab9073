//! Diagnostics to text: the one place that knows how an error looks on screen.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

use nabla::diagnostic::{Diagnostic, Severity};
use nabla::words::{Language, phrase};

pub struct Reporter {
    file: SimpleFile<String, String>,
    color: bool,
    language: Language,
}

impl Reporter {
    pub fn new(name: &str, text: &str, color: bool, language: Language) -> Reporter {
        Reporter {
            file: SimpleFile::new(name.to_string(), printable(text)),
            color,
            language,
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
                Some(place) => self.to_report_without_source(diagnostic, &place),
                None => self.to_report(diagnostic),
            };
            let text = if self.color {
                let mut buffer = term::termcolor::Ansi::new(Vec::new());
                let styles = term::Styles::default();
                let mut writer = term::StylesWriter::new(&mut buffer, &styles);
                term::emit_to_write_style(&mut writer, &config, &self.file, &report)
                    .ok()
                    .map(|()| String::from_utf8_lossy(&buffer.into_inner()).into_owned())
            } else {
                term::emit_into_string(&config, &self.file, &report).ok()
            };
            if let Some(text) = text {
                out.push_str(&self.with_severity_word(&text, diagnostic.severity));
            }
        }
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            let count = self
                .language
                .say(&phrase::error_count(self.file.name(), errors));
            out.push_str(&count);
            out.push('\n');
        }
        out
    }

    /// codespan-reporting starts a diagnostic with the severity in English (`error`, `warning`):
    /// the first of those words on its first line becomes the catalogue's.
    fn with_severity_word(&self, text: &str, severity: Severity) -> String {
        let (english, ours) = match severity {
            Severity::Error => ("error", phrase::severity_error()),
            Severity::Warning => ("warning", phrase::severity_warning()),
        };
        let first_line = text.find('\n').unwrap_or(text.len());
        match text[..first_line].find(english) {
            Some(at) => format!(
                "{}{}{}",
                &text[..at],
                self.language.say(&ours),
                &text[at + english.len()..]
            ),
            None => text.to_string(),
        }
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
        Some(self.language.say(&phrase::line_too_long_to_show(
            format!("{}:{line}:{column}", self.file.name()),
            length,
            near,
        )))
    }

    fn to_report_without_source(&self, diagnostic: &Diagnostic, place: &str) -> Report<()> {
        let say = |message| self.language.say(message);
        let mut notes = vec![place.to_string()];
        notes.extend(diagnostic.label.as_ref().map(say));
        notes.extend(diagnostic.help.as_ref().map(|help| self.help(help)));
        Report::new(severity(diagnostic))
            .with_message(say(&diagnostic.message))
            .with_notes(notes)
    }

    fn to_report(&self, diagnostic: &Diagnostic) -> Report<()> {
        let say = |message| self.language.say(message);
        let label = diagnostic.label.as_ref().map(say).unwrap_or_default();
        let mut labels = vec![Label::primary((), diagnostic.span.range()).with_message(label)];
        labels.extend(
            diagnostic.notes.iter().map(|note| {
                Label::secondary((), note.span.range()).with_message(say(&note.message))
            }),
        );
        let mut report = Report::new(severity(diagnostic))
            .with_message(say(&diagnostic.message))
            .with_labels(labels);
        if let Some(help) = &diagnostic.help {
            report = report.with_notes(vec![self.help(help)]);
        }
        report
    }

    /// `help: …`, in the language's words.
    fn help(&self, help: &nabla::words::Message) -> String {
        self.language
            .say(&phrase::help_note(self.language.say(help)))
    }
}

fn severity(diagnostic: &Diagnostic) -> ReportSeverity {
    match diagnostic.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
    }
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
