//! Cutting a file into statements before parsing.
//!
//! A newline ends a statement except inside `( )` or `[ ]`. Cutting first, then parsing each
//! statement on its own, gives error recovery for free: a broken line is reported and the next one
//! is parsed as if nothing happened. The same pass bounds bracket nesting, so the recursive-descent
//! parser never meets input deep enough to exhaust the stack.

use crate::diagnostic::{Diagnostic, Diagnostics, Kind};
use crate::span::Span;
use crate::words::phrase;

/// The deepest bracket nesting accepted. Far beyond anything written by hand.
pub const MAX_NESTING: usize = 64;

/// Enough to show which brackets are open without flooding the screen.
const MAX_REPORTED_UNCLOSED: usize = 3;

/// Words that can only start a statement. Meeting one at the start of a line while a bracket is
/// still open means that bracket was never closed, and the statement it began ended a line before.
pub(super) const STATEMENT_KEYWORDS: [&str; 8] = [
    "input",
    "target",
    "param",
    "const",
    "dim",
    "loss",
    "optimizer",
    "train",
];

/// A statement's text, and whether its brackets are already known to be broken (in which case an
/// error has been reported and it is not worth parsing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub span: Span,
    pub broken: bool,
}

/// The statements of a file, in order; blank and comment-only lines are skipped.
pub fn split(source: &str, diagnostics: &mut Diagnostics) -> Vec<Piece> {
    let mut statements = Vec::new();
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut start = 0;
    let mut has_content = false;
    let mut too_deep_at: Option<usize> = None;
    let mut in_comment = false;

    let mut finish = |start: usize,
                      end: usize,
                      open: &mut Vec<(char, usize)>,
                      has_content: bool,
                      too_deep_at: Option<usize>| {
        let span = Span::new(start, end);
        if let Some(offset) = too_deep_at {
            diagnostics.push(too_deep(offset));
            statements.push(Piece { span, broken: true });
        } else if !open.is_empty() {
            // Every bracket left open, outermost first: any of them may be the one forgotten.
            for &(bracket, offset) in open.iter().take(MAX_REPORTED_UNCLOSED) {
                diagnostics.push(unclosed(bracket, offset));
            }
            statements.push(Piece { span, broken: true });
        } else if has_content {
            statements.push(Piece {
                span,
                broken: false,
            });
        }
        open.clear();
    };

    for (i, c) in source.char_indices() {
        if in_comment {
            if c != '\n' {
                continue;
            }
            in_comment = false;
        }
        match c {
            '#' => in_comment = true,
            '\n' => {
                let rest = &source[i + 1..];
                if open.is_empty() || starts_statement(rest) {
                    finish(start, i, &mut open, has_content, too_deep_at);
                    start = i + 1;
                    has_content = false;
                    too_deep_at = None;
                }
            }
            '(' | '[' => {
                has_content = true;
                open.push((c, i));
                if open.len() > MAX_NESTING && too_deep_at.is_none() {
                    too_deep_at = Some(i);
                }
            }
            ')' | ']' => {
                has_content = true;
                // A closer that matches nothing, or the wrong opener, is left for the parser,
                // which says what it expected there.
                open.pop();
            }
            c if c.is_whitespace() => {}
            _ => has_content = true,
        }
    }
    finish(start, source.len(), &mut open, has_content, too_deep_at);
    statements
}

fn starts_statement(line: &str) -> bool {
    let line = line.trim_start_matches([' ', '\t']);
    STATEMENT_KEYWORDS.iter().any(|keyword| {
        line.strip_prefix(keyword)
            .is_some_and(|after| after.starts_with([' ', '\t', '(']))
    })
}

fn unclosed(bracket: char, offset: usize) -> Diagnostic {
    let closer = if bracket == '(' { ')' } else { ']' };
    Diagnostic::error(
        Kind::UnclosedBracket,
        Span::new(offset, offset + 1),
        phrase::unclosed_bracket(bracket.to_string()),
    )
    .with_label(phrase::unclosed_bracket_label(closer.to_string()))
}

fn too_deep(offset: usize) -> Diagnostic {
    Diagnostic::error(
        Kind::TooDeep,
        Span::new(offset, offset + 1),
        phrase::nested_too_deeply(MAX_NESTING),
    )
    .with_label(phrase::nested_too_deeply_label(MAX_NESTING + 1))
    .with_help(phrase::nested_too_deeply_help())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<&str> {
        let mut diagnostics = Diagnostics::default();
        split(source, &mut diagnostics)
            .into_iter()
            .map(|piece| piece.span.text(source))
            .collect()
    }

    #[test]
    fn newlines_inside_brackets_do_not_end_a_statement() {
        assert_eq!(
            texts("input x = [1,\n  2]\n\n# note\nh = f(x,\n y) # tail\n"),
            vec!["input x = [1,\n  2]", "h = f(x,\n y) # tail"]
        );
    }

    #[test]
    fn an_unclosed_bracket_stops_at_the_next_declaration() {
        let source = "h = sigmoid(W @ x\nloss E = sum(h)\n";
        let mut diagnostics = Diagnostics::default();
        let pieces = split(source, &mut diagnostics);
        assert_eq!(pieces.len(), 2);
        assert!(pieces[0].broken);
        assert_eq!(pieces[1].span.text(source), "loss E = sum(h)");
        let errors: Vec<_> = diagnostics.iter().collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].span.text(source), "(");
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let source = format!("h = {}x{}", "(".repeat(20_000), ")".repeat(20_000));
        let mut diagnostics = Diagnostics::default();
        assert!(split(&source, &mut diagnostics).iter().all(|p| p.broken));
        assert_eq!(diagnostics.iter().next().unwrap().kind, Kind::TooDeep);
    }
}
