//! Statements of the same form, one after another for the members of families of scalars
//! (`h433 = tanh(w433·h432)`, then `h434 = tanh(w434·h433)` …), re-rolled into one loop over
//! the members' number:
//!
//! ```text
//! // For k from 2 to 500:
//! for k in 2..=500 {
//!     // h_k = tanh(w_k·h_(k−1))
//!     for r in 0..n {
//!         f.h[k - 1][r] = (p.w[k - 1] * f.h[k - 2][r]).tanh();
//!     }
//! }
//! ```
//!
//! A run of a few statements repeated (a deep chain's backward pass repeats two: the layer's
//! error signal, then its parameter's gradient) becomes one loop of those few.
//!
//! Invariant: iteration `j` of a loop is, to the character, the code of the `j`-th repetition it
//! replaces (only the comments change, to say which formula each statement runs for which `k`),
//! so a re-rolled pass performs the same operations in the same order.

use std::collections::BTreeSet;
use std::ops::Range;

use super::super::families::Family;
use super::super::layout::MAX_WIDTH;

/// The fewest repetitions re-rolled into a loop.
pub const MIN_REPEATS: usize = 4;

/// The most statements one repetition of a loop holds.
const MAX_PERIOD: usize = 8;

/// A number in a statement that may vary from one repetition to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    value: u64,
    /// In a comment (a member's number in a formula: `w433`), else in code (an element of a
    /// family's array: `p.w[432]`).
    comment: bool,
}

/// A statement with its slots taken out: the text with a mark for each, and the slots.
#[derive(Debug, PartialEq)]
struct Form {
    template: String,
    slots: Vec<Slot>,
}

/// Where a slot was in the text.
const MARK: char = '\u{0}';

/// The form of one statement: the numbers after a letter in its comments, and the elements of
/// families' arrays in its code (`.w[432]`).
fn form(text: &str, fields: &BTreeSet<&str>) -> Form {
    let mut template = String::new();
    let mut slots = Vec::new();
    for line in text.split_inclusive('\n') {
        let comment = line.trim_start().starts_with("//");
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if comment && c.is_ascii_digit() && i > 0 && chars[i - 1].is_alphabetic() {
                let end = (i..chars.len())
                    .find(|&e| !chars[e].is_ascii_digit())
                    .unwrap_or(chars.len());
                let digits: String = chars[i..end].iter().collect();
                let plain = digits == "0" || !digits.starts_with('0');
                let followed = chars
                    .get(end)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
                if let (true, false, Ok(value)) = (plain, followed, digits.parse()) {
                    template.push(MARK);
                    slots.push(Slot {
                        value,
                        comment: true,
                    });
                    i = end;
                    continue;
                }
            }
            if !comment && c == '.' {
                // `.field[digits]` with `field` a family's array.
                let name_end = (i + 1..chars.len())
                    .find(|&e| !(chars[e].is_ascii_alphanumeric() || chars[e] == '_'))
                    .unwrap_or(chars.len());
                let name: String = chars[i + 1..name_end].iter().collect();
                if fields.contains(name.as_str()) && chars.get(name_end) == Some(&'[') {
                    let start = name_end + 1;
                    let end = (start..chars.len())
                        .find(|&e| !chars[e].is_ascii_digit())
                        .unwrap_or(chars.len());
                    let digits: String = chars[start..end].iter().collect();
                    if end > start
                        && chars.get(end) == Some(&']')
                        && let Ok(value) = digits.parse()
                    {
                        template.push('.');
                        template.push_str(&name);
                        template.push('[');
                        template.push(MARK);
                        slots.push(Slot {
                            value,
                            comment: false,
                        });
                        i = end;
                        continue;
                    }
                }
            }
            template.push(c);
            i += 1;
        }
    }
    Form { template, slots }
}

/// A run of repetitions found at some statement.
struct Run {
    period: usize,
    repeats: usize,
    /// +1 or −1: how every varying slot changes from one repetition to the next.
    step: i64,
}

/// How each slot of the repetition at `at` changes into the next one's, if the two have the
/// same forms and every slot changes by the same step (+1 or −1) or not at all: the step and
/// which slots change. One code slot and one comment slot at least must change.
fn change(forms: &[Form], at: usize, period: usize) -> Option<(i64, Vec<Vec<bool>>)> {
    let mut step = None;
    let mut varying = Vec::new();
    let (mut code, mut comment) = (false, false);
    for q in 0..period {
        let (a, b) = (&forms[at + q], &forms[at + period + q]);
        if a.template != b.template || a.slots.len() != b.slots.len() {
            return None;
        }
        let mut slots = Vec::new();
        for (x, y) in a.slots.iter().zip(&b.slots) {
            let delta = y.value as i64 - x.value as i64;
            if delta != 0 {
                if delta.abs() != 1 || step.is_some_and(|s| s != delta) {
                    return None;
                }
                step = Some(delta);
                code |= !x.comment;
                comment |= x.comment;
            }
            slots.push(delta != 0);
        }
        varying.push(slots);
    }
    Some((step?, varying)).filter(|_| code && comment)
}

/// The longest run of repetitions starting at statement `at`, if one has at least
/// [`MIN_REPEATS`].
fn run_at(forms: &[Form], at: usize) -> Option<Run> {
    let mut best: Option<Run> = None;
    for period in 1..=MAX_PERIOD {
        if at + 2 * period > forms.len() {
            break;
        }
        let Some((step, varying)) = change(forms, at, period) else {
            continue;
        };
        let mut repeats = 2;
        while at + (repeats + 1) * period <= forms.len() {
            let next = at + repeats * period;
            let same = (0..period).all(|q| {
                let (first, this) = (&forms[at + q], &forms[next + q]);
                first.template == this.template
                    && first.slots.len() == this.slots.len()
                    && first.slots.iter().zip(&this.slots).zip(&varying[q]).all(
                        |((a, b), &varies)| {
                            let moved = if varies { step * repeats as i64 } else { 0 };
                            b.value as i64 == a.value as i64 + moved
                        },
                    )
            });
            if !same {
                break;
            }
            repeats += 1;
        }
        let longer = best
            .as_ref()
            .is_none_or(|b| repeats * period > b.repeats * b.period);
        if repeats >= MIN_REPEATS && longer {
            best = Some(Run {
                period,
                repeats,
                step,
            });
        }
    }
    best
}

/// The loop that runs `forms[at..]`'s run: `None` where a line of it would be too long, or a
/// statement declares a name the next would need.
fn rolled_loop(forms: &[Form], at: usize, run: &Run, indent: usize) -> Option<String> {
    let pad = " ".repeat(indent);
    let unit = &forms[at..at + run.period];
    let next = &forms[at + run.period..at + 2 * run.period];
    // The loop's variable is the first changing member number of the formulas.
    let k0 = unit
        .iter()
        .zip(next)
        .flat_map(|(a, b)| a.slots.iter().zip(&b.slots))
        .find(|(a, b)| a.comment && a.value != b.value)
        .map(|(a, _)| a.value as i64)?;
    let last = k0 + run.step * (run.repeats as i64 - 1);
    let mut out = if run.step > 0 {
        format!("{pad}// For k from {k0} to {last}:\n{pad}for k in {k0}..={last} {{\n")
    } else {
        format!("{pad}// For k from {k0} down to {last}:\n{pad}for k in ({last}..={k0}).rev() {{\n")
    };
    let declaration = format!("{pad}let ");
    for (a, b) in unit.iter().zip(next) {
        // A name declared for the next statements, or a `k` of the statement's own.
        if a.template
            .lines()
            .any(|line| line.starts_with(&declaration))
            || names_k(&a.template)
        {
            return None;
        }
        let mut slots = a.slots.iter().zip(&b.slots);
        let mut text = String::new();
        for c in a.template.chars() {
            if c != MARK {
                text.push(c);
                continue;
            }
            let (x, y) = slots.next()?;
            let offset = x.value as i64 - k0;
            text.push_str(&match (x.value != y.value, x.comment) {
                (false, _) => x.value.to_string(),
                (true, false) if offset == 0 => "k".to_string(),
                (true, false) if offset > 0 => format!("k + {offset}"),
                (true, false) => format!("k - {}", -offset),
                (true, true) if offset == 0 => "_k".to_string(),
                (true, true) if offset > 0 => format!("_(k+{offset})"),
                (true, true) => format!("_(k−{})", -offset),
            });
        }
        for line in text.split_inclusive('\n') {
            let indented = format!("    {line}");
            let code = !line.trim_start().starts_with("//");
            if code && indented.trim_end().chars().count() > MAX_WIDTH {
                return None;
            }
            out.push_str(if line.trim().is_empty() {
                line
            } else {
                &indented
            });
        }
    }
    out.push_str(&format!("{pad}}}\n"));
    Some(out)
}

/// Whether the code of `template` (not its comments) has a name `k`.
fn names_k(template: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    template
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .any(|line| {
            line.char_indices().any(|(i, c)| {
                c == 'k'
                    && !word(line[..i].chars().next_back())
                    && !word(line[i + 1..].chars().next())
            })
        })
}

/// `statements` (each at `indent`) with the runs of repeated forms re-rolled into loops: each
/// of the result's statements with the range of `statements` it stands for.
pub fn roll(
    statements: &[&str],
    families: &[Family],
    indent: usize,
) -> Vec<(Range<usize>, String)> {
    let fields: BTreeSet<&str> = families.iter().map(|f| f.field.as_str()).collect();
    if fields.is_empty() {
        return statements
            .iter()
            .enumerate()
            .map(|(i, s)| (i..i + 1, s.to_string()))
            .collect();
    }
    let forms: Vec<Form> = statements.iter().map(|s| form(s, &fields)).collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < statements.len() {
        if let Some(run) = run_at(&forms, at)
            && let Some(text) = rolled_loop(&forms, at, &run, indent)
        {
            let end = at + run.period * run.repeats;
            out.push((at..end, text));
            at = end;
        } else {
            out.push((at..at + 1, statements[at].to_string()));
            at += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::super::families::Family;
    use super::roll;

    fn family(root: &str, field: &str, len: usize) -> Family {
        Family {
            root: root.to_string(),
            field: field.to_string(),
            first: 1,
            len,
            varying: root != "p",
        }
    }

    fn chain(k: usize) -> String {
        format!(
            "    // h{k} = tanh(w{k}·h{})\n    for r in 0..n {{\n        f.h[{}][r] = (p.w[{}] * f.h[{}][r]).tanh();\n    }}\n",
            k - 1,
            k - 1,
            k - 1,
            k - 2
        )
    }

    #[test]
    fn a_chain_of_statements_of_one_form_is_one_loop_over_the_members() {
        let statements: Vec<String> = (2..=9).map(chain).collect();
        let texts: Vec<&str> = statements.iter().map(String::as_str).collect();
        let families = [family("p", "w", 9), family("f", "h", 9)];
        let rolled = roll(&texts, &families, 4);
        assert_eq!(rolled.len(), 1);
        assert_eq!(rolled[0].0, 0..8);
        assert_eq!(
            rolled[0].1,
            "    // For k from 2 to 9:\n    for k in 2..=9 {\n        // h_k = tanh(w_k·h_(k−1))\n        for r in 0..n {\n            f.h[k - 1][r] = (p.w[k - 1] * f.h[k - 2][r]).tanh();\n        }\n    }\n"
        );
    }

    #[test]
    fn a_run_too_short_or_broken_stays_as_it_is() {
        let mut statements: Vec<String> = (2..=4).map(chain).collect();
        statements.push(chain(6));
        let texts: Vec<&str> = statements.iter().map(String::as_str).collect();
        let families = [family("p", "w", 9), family("f", "h", 9)];
        let rolled = roll(&texts, &families, 4);
        assert_eq!(rolled.len(), 4);
        assert!(rolled.iter().all(|(range, _)| range.len() == 1));
    }

    #[test]
    fn two_statements_repeated_downwards_are_one_loop_of_two() {
        let unit = |k: usize| {
            [
                format!(
                    "    // δh{k} = δh{}·w{}\n    for r in 0..n {{\n        b.delta_h[{}][r] = b.delta_h[{}][r] * p.w[{}];\n    }}\n",
                    k + 1,
                    k + 1,
                    k - 1,
                    k,
                    k
                ),
                format!(
                    "    // ∂L/∂w{k} = δh{k}·h{}\n    g.w[{}] = 0.0;\n    for r in 0..n {{\n        g.w[{}] += b.delta_h[{}][r] * f.h[{}][r];\n    }}\n",
                    k - 1,
                    k - 1,
                    k - 1,
                    k - 1,
                    k - 2
                ),
            ]
        };
        let statements: Vec<String> = (3..=8).rev().flat_map(unit).collect();
        let texts: Vec<&str> = statements.iter().map(String::as_str).collect();
        let families = [
            family("p", "w", 9),
            family("f", "h", 9),
            family("b", "delta_h", 9),
        ];
        let rolled = roll(&texts, &families, 4);
        assert_eq!(rolled.len(), 1);
        let text = &rolled[0].1;
        assert!(text.starts_with("    // For k from 8 down to 3:\n    for k in (3..=8).rev() {\n"));
        assert!(text.contains("        // ∂L/∂w_k = δh_k·h_(k−1)\n        g.w[k - 1] = 0.0;\n"));
        assert!(text.contains("b.delta_h[k - 1][r] = b.delta_h[k][r] * p.w[k];"));
    }
}
