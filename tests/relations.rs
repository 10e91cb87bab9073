//! "=" is exact, "≈" is rounded: the promise under every explanation, checked on what a reader
//! reads. Every text snapshot of `nabla explain` is scanned line by line, independently of how
//! nabla decides its relations:
//!
//! - which numbers are rounded is found by running the same command again with more digits: a
//!   number written differently there was rounded;
//! - each worked line is cut at its top-level `=` and `≈` into expressions, and expressions made
//!   of numbers only are evaluated exactly, with rationals;
//! - `A = B` may not hold a rounded number on either side, unless that side is arithmetic that
//!   comes out exactly at the line's (unrounded) value (`0.593269992·0 = 0`);
//! - `A ≈ B` may not stand between two expressions free of rounded numbers that are equal
//!   (`−0.4 − 0.5·0 ≈ −0.4`), nor before an unrounded value after an expression free of rounded
//!   numbers (`σ(0) ≈ 0.5`): that is an exact result marked approximate.

use std::path::Path;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use crate::support::{nabla, root};

/// More digits than any snapshot uses: a number that reads differently with these was rounded.
const MORE_DIGITS: &str = "30";

/// A number as written, with where it sits in the text.
#[derive(Clone, Debug)]
struct NumberToken {
    start: usize,
    end: usize,
    text: String,
}

/// The numbers of `text`, in order: digits not part of a name (`W1`, `b2`) and not subscripts.
fn numbers(text: &str) -> Vec<NumberToken> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let in_name = i > 0 && {
            let before = chars[i - 1].1;
            before.is_alphanumeric() || before == '_'
        };
        if c.is_ascii_digit() && !in_name {
            let mut j = i;
            while j < chars.len()
                && (chars[j].1.is_ascii_digit()
                    || (chars[j].1 == '.'
                        && chars.get(j + 1).is_some_and(|(_, d)| d.is_ascii_digit())))
            {
                j += 1;
            }
            // Scientific notation: ×10 and a superscript exponent.
            let rest: String = chars[j..].iter().map(|(_, c)| c).take(3).collect();
            if rest == "×10" {
                j += 3;
                while j < chars.len() && "⁻⁰¹²³⁴⁵⁶⁷⁸⁹".contains(chars[j].1) {
                    j += 1;
                }
            }
            let end = chars.get(j).map_or(text.len(), |(at, _)| *at);
            found.push(NumberToken {
                start: at,
                end,
                text: text[at..end].to_string(),
            });
            i = j;
        } else if c.is_alphanumeric() || c == '_' {
            // Skip a whole name, digits included.
            while i < chars.len() && (chars[i].1.is_alphanumeric() || chars[i].1 == '_') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    found
}

/// The worked lines of a text explanation, each joined onto one line (continuations appended),
/// with the byte offset in `text` of each of its characters' sources kept as ranges.
fn worked_lines(text: &str) -> Vec<(String, Vec<(usize, usize)>)> {
    let mut chains: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    let mut offset = 0;
    let mut in_history = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches('\n');
        let trimmed = body.trim_start();
        let indent = body.len() - trimmed.len();
        let line_start = start + indent;
        // The history table's rows are a step number and a loss, not an equation.
        if trimmed.starts_with("step ") || trimmed.starts_with("bước ") {
            in_history = true;
            continue;
        }
        if in_history
            && !trimmed.is_empty()
            && trimmed.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            continue;
        }
        in_history = false;
        if indent < 5 || trimmed.starts_with('(') {
            continue;
        }
        // The tag naming the rules a line follows from.
        let content = match trimmed
            .find("   by (")
            .or_else(|| trimmed.find("   theo ("))
        {
            Some(at) => &trimmed[..at],
            None => trimmed,
        };
        let continues = ["= ", "≈ ", "+ ", "− ", "· "]
            .iter()
            .any(|p| content.starts_with(p));
        match chains.last_mut() {
            Some((chain, ranges)) if continues => {
                chain.push(' ');
                ranges.push((line_start, line_start + content.len()));
                chain.push_str(content);
            }
            _ if content.contains(" = ") || content.contains(" ≈ ") => {
                chains.push((
                    content.to_string(),
                    vec![(line_start, line_start + content.len())],
                ));
            }
            _ => {}
        }
    }
    chains
}

/// `chain` cut at its top-level relations: the expressions and the relation before each.
fn expressions(chain: &str) -> Vec<(Option<char>, String)> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut relation = None;
    let chars: Vec<char> = chain.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        let is_relation = depth == 0
            && (c == '=' || c == '≈')
            && i > 0
            && chars[i - 1] == ' '
            && chars.get(i + 1) == Some(&' ');
        if is_relation {
            parts.push((relation, current.trim().to_string()));
            current.clear();
            relation = Some(c);
        } else {
            current.push(c);
        }
        i += 1;
    }
    parts.push((relation, current.trim().to_string()));
    parts
}

fn superscript_value(c: char) -> Option<i64> {
    "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|d| d == c).map(|p| p as i64)
}

/// An exact evaluator of numeric text: numbers, `+ − · /`, parentheses, juxtaposition,
/// superscript powers, `|x|`. `None` for anything else (a name, a function).
struct Evaluator<'a> {
    chars: Vec<char>,
    at: usize,
    _text: &'a str,
}

impl Evaluator<'_> {
    fn evaluate(text: &str) -> Option<BigRational> {
        let mut e = Evaluator {
            chars: text.chars().filter(|c| !c.is_whitespace()).collect(),
            at: 0,
            _text: text,
        };
        let value = e.sum()?;
        (e.at == e.chars.len()).then_some(value)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn sum(&mut self) -> Option<BigRational> {
        let mut value = self.product()?;
        while let Some(c) = self.peek() {
            match c {
                '+' => {
                    self.at += 1;
                    value += self.product()?;
                }
                '−' => {
                    self.at += 1;
                    value -= self.product()?;
                }
                _ => break,
            }
        }
        Some(value)
    }

    fn product(&mut self) -> Option<BigRational> {
        let mut value = self.unary()?;
        loop {
            match self.peek() {
                Some('·') => {
                    self.at += 1;
                    value *= self.unary()?;
                }
                Some('/') => {
                    self.at += 1;
                    let divisor = self.unary()?;
                    if divisor.is_zero() {
                        return None;
                    }
                    value /= divisor;
                }
                // Juxtaposition: 2(o − y), 0.75(1 − 0.75).
                Some('(') => value *= self.unary()?,
                _ => break,
            }
        }
        Some(value)
    }

    fn unary(&mut self) -> Option<BigRational> {
        if self.peek() == Some('−') {
            self.at += 1;
            return Some(-self.unary()?);
        }
        let base = self.atom()?;
        self.power(base)
    }

    fn power(&mut self, base: BigRational) -> Option<BigRational> {
        let mut exponent: Option<i64> = None;
        let mut negative = false;
        while let Some(c) = self.peek() {
            if c == '⁻' {
                negative = true;
            } else if let Some(d) = superscript_value(c) {
                exponent = Some(exponent.unwrap_or(0) * 10 + d);
            } else {
                break;
            }
            self.at += 1;
        }
        match exponent {
            None => Some(base),
            Some(e) => {
                let mut value = BigRational::one();
                for _ in 0..e {
                    value *= &base;
                }
                if negative {
                    if value.is_zero() {
                        return None;
                    }
                    value = value.recip();
                }
                Some(value)
            }
        }
    }

    fn atom(&mut self) -> Option<BigRational> {
        match self.peek()? {
            '(' => {
                self.at += 1;
                let value = self.sum()?;
                (self.peek() == Some(')')).then_some(())?;
                self.at += 1;
                Some(value)
            }
            '|' => {
                self.at += 1;
                let value = self.sum()?;
                (self.peek() == Some('|')).then_some(())?;
                self.at += 1;
                Some(value.abs())
            }
            c if c.is_ascii_digit() => {
                let start = self.at;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                    self.at += 1;
                }
                let digits: String = self.chars[start..self.at].iter().collect();
                let mut value = decimal(&digits)?;
                let rest: String = self.chars[self.at..].iter().take(3).collect();
                if rest == "×10" {
                    self.at += 3;
                    let scale = self.power(BigRational::from_integer(10.into()))?;
                    value *= scale;
                }
                Some(value)
            }
            _ => None,
        }
    }
}

fn decimal(digits: &str) -> Option<BigRational> {
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let numerator: BigInt = format!("{whole}{fraction}").parse().ok()?;
    let denominator = num_traits::pow(BigInt::from(10), fraction.len());
    Some(BigRational::new(numerator, denominator))
}

/// The explain command a snapshot recorded, from its first line.
fn command(snapshot: &str) -> Option<Vec<String>> {
    let line = snapshot
        .split("\n---\n")
        .nth(1)?
        .lines()
        .next()?
        .strip_prefix("$ nabla ")?
        .to_string();
    Some(line.split(' ').map(str::to_string).collect())
}

/// The violations of the promise in one explanation, given which of its numbers are rounded.
fn violations(text: &str, rounded: &[(usize, usize)]) -> Vec<String> {
    let mut found = Vec::new();
    for (chain, ranges) in worked_lines(text) {
        // Whether each number of the chain, in order, is rounded: by its place in the text.
        let source_rounded: Vec<bool> = ranges
            .iter()
            .flat_map(|&(start, end)| {
                numbers(&text[start..end]).into_iter().map(move |n| {
                    let at = start + n.start;
                    rounded.iter().any(|&(s, e)| s <= at && at < e)
                })
            })
            .collect();
        let parts = expressions(&chain);
        let mut index = 0;
        let part_rounded: Vec<bool> = parts
            .iter()
            .map(|(_, expression)| {
                let count = numbers(expression).len();
                let any = source_rounded
                    .get(index..index + count)
                    .is_some_and(|flags| flags.iter().any(|r| *r));
                index += count;
                any
            })
            .collect();
        let last = parts.last().map(|(_, e)| e.as_str()).unwrap_or("");
        let final_exact = parts
            .last()
            .is_some_and(|_| !part_rounded[parts.len() - 1])
            .then(|| Evaluator::evaluate(last))
            .flatten();
        let exactly_final = |i: usize| {
            final_exact.is_some()
                && Evaluator::evaluate(&parts[i].1).as_ref() == final_exact.as_ref()
        };
        for i in 1..parts.len() {
            let (relation, right) = &parts[i];
            let left = &parts[i - 1].1;
            match relation {
                Some('=') => {
                    for side in [i - 1, i] {
                        if part_rounded[side] && !exactly_final(side) {
                            found.push(format!("`=` beside a rounded number: {chain}"));
                        }
                    }
                }
                Some('≈') => {
                    let (l, r) = (Evaluator::evaluate(left), Evaluator::evaluate(right));
                    let exact_both = !part_rounded[i - 1] && !part_rounded[i];
                    let equal = l.is_some() && l == r;
                    let plain_value = numbers(right).len() == 1 && r.is_some();
                    if exact_both && (equal || plain_value) {
                        found.push(format!(
                            "`≈` after an exact result ({left} ≈ {right}): {chain}"
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// The byte ranges of the numbers of `text` that `more` (the same explanation with more digits)
/// writes differently.
fn rounded_numbers(text: &str, more: &str, context: &str) -> Vec<(usize, usize)> {
    let (these, those) = (numbers(text), numbers(more));
    assert_eq!(
        these.len(),
        those.len(),
        "{context}: with {MORE_DIGITS} digits the explanation has other numbers; cannot align them"
    );
    these
        .iter()
        .zip(&those)
        .filter(|(a, b)| a.text != b.text)
        .map(|(a, _)| (a.start, a.end))
        .collect()
}

fn scan(snapshot_path: &Path) -> Vec<String> {
    let snapshot = std::fs::read_to_string(snapshot_path).expect("a snapshot");
    let Some(args) = command(&snapshot) else {
        return Vec::new();
    };
    let context = snapshot_path.display().to_string();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = nabla(&args, None);
    assert_eq!(run.code, 0, "{context}: {}", run.stderr);
    let mut more_args = args.clone();
    more_args.extend(["--digits", MORE_DIGITS]);
    let more = nabla(&more_args, None);
    assert_eq!(more.code, 0, "{context}: {}", more.stderr);
    // The closing note on numbers says how many digits were asked: not part of the working.
    let working = |text: &str| {
        let end = ["\nNumbers:", "\nCách ghi số:"]
            .iter()
            .filter_map(|note| text.find(note))
            .min()
            .unwrap_or(text.len());
        text[..end].to_string()
    };
    let (text, more) = (working(&run.stdout), working(&more.stdout));
    let rounded = rounded_numbers(&text, &more, &context);
    violations(&text, &rounded)
        .into_iter()
        .map(|v| format!("{context}: {v}"))
        .collect()
}

#[test]
fn equals_joins_only_exact_values_in_every_text_snapshot() {
    let mut scanned = 0;
    let mut found = Vec::new();
    let dir = root().join("tests/snapshots");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/snapshots")
        .map(|e| e.expect("an entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".snap") && name.contains("explain") && name.contains("__text__")
        })
        .collect();
    paths.sort();
    for path in paths {
        scanned += 1;
        found.extend(scan(&path));
    }
    assert!(scanned >= 10, "only {scanned} text snapshots of explain");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_scanner_finds_what_it_looks_for() {
    // Rounded: 0.593269992 and 0.274811083 (positions found by the caller); here by hand.
    let text = "     E = 0.274811083 + 0.023560026 ≈ 0.298371109\n     \
                W = −0.4 − 0.5·0 ≈ −0.4\n     s = σ(0) ≈ 0.5\n     \
                g = 0.593269992·0 = 0\n";
    let rounded: Vec<(usize, usize)> = numbers(text)
        .into_iter()
        .filter(|n| n.text.len() >= 11)
        .map(|n| (n.start, n.end))
        .collect();
    let found = violations(text, &rounded);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("`=` beside a rounded number"));
    assert!(found[1].contains("−0.4 − 0.5·0 ≈ −0.4"));
    assert!(found[2].contains("σ(0) ≈ 0.5"));
    assert_eq!(
        Evaluator::evaluate("1/2·(0.01 − 0.75)²"),
        Some(BigRational::new(1369.into(), 5000.into()))
    );
    assert_eq!(Evaluator::evaluate("σ(0.3775)"), None);
}
