//! The names a file defines, and an order to check them in.
//!
//! Names may be used before the line that defines them, so checking follows dependencies, not
//! lines: a depth-first walk (with an explicit stack, since a generated file may chain thousands
//! of definitions) gives each symbol after everything it mentions, and finds the cycles.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Diagnostics, Kind};
use crate::span::Span;
use crate::syntax::ast::{Arguments, DeclInit, Expr, ExprKind, File, StatementKind};
use crate::words::phrase;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Dim,
    Declaration,
    Definition,
    Loss,
}

#[derive(Clone, Debug)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The name where it is defined.
    pub span: Span,
    /// Index into `File::statements`.
    pub statement: usize,
}

#[derive(Debug, Default)]
pub struct Symbols {
    pub list: Vec<Symbol>,
    by_name: HashMap<String, usize>,
    /// For each symbol, the symbols its statement mentions.
    dependencies: Vec<Vec<usize>>,
    /// Names that statements which failed to parse seem to define: their uses are not reported
    /// again as unknown.
    broken: std::collections::HashSet<String>,
}

impl Symbols {
    /// Every name the file defines; a second definition of a name is reported and ignored.
    pub fn collect(file: &File, diagnostics: &mut Diagnostics) -> Symbols {
        let mut symbols = Symbols::default();
        for (index, statement) in file.statements.iter().enumerate() {
            let (name, kind) = match &statement.kind {
                StatementKind::Dim { name, .. } => (name, SymbolKind::Dim),
                StatementKind::Declaration(d) => (&d.name, SymbolKind::Declaration),
                StatementKind::Definition { name, .. } => (name, SymbolKind::Definition),
                StatementKind::Loss { name, .. } => (name, SymbolKind::Loss),
                StatementKind::Optimizer { .. } | StatementKind::Train { .. } => continue,
            };
            if let Some(&first) = symbols.by_name.get(&name.text) {
                let first = &symbols.list[first];
                diagnostics.push(
                    Diagnostic::error(
                        Kind::Redeclared,
                        name.span,
                        phrase::defined_twice(&name.text),
                    )
                    .with_label(phrase::defined_again_here())
                    .with_note(first.span, phrase::first_defined_here())
                    .with_help(phrase::defined_twice_help()),
                );
                continue;
            }
            symbols
                .by_name
                .insert(name.text.clone(), symbols.list.len());
            symbols.list.push(Symbol {
                name: name.text.clone(),
                kind,
                span: name.span,
                statement: index,
            });
        }
        symbols.broken = file
            .unparsed
            .iter()
            .flat_map(|u| &u.defines)
            .map(|ident| ident.text.clone())
            .collect();
        symbols.dependencies = symbols
            .list
            .iter()
            .map(|symbol| {
                let mut names = Vec::new();
                mentioned_names(&file.statements[symbol.statement].kind, &mut names);
                let mut deps: Vec<usize> = names.iter().filter_map(|n| symbols.lookup(n)).collect();
                deps.sort_unstable();
                deps.dedup();
                deps
            })
            .collect();
        symbols
    }

    /// Which symbols `roots` mention, directly or through others (themselves included): what a
    /// reader of the file would call "used by" them.
    pub fn used_by(&self, roots: &[usize]) -> Vec<bool> {
        let mut used = vec![false; self.list.len()];
        let mut stack = roots.to_vec();
        while let Some(symbol) = stack.pop() {
            if !std::mem::replace(&mut used[symbol], true) {
                stack.extend(&self.dependencies[symbol]);
            }
        }
        used
    }

    pub fn lookup(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The symbols the `optimizer` and `train` lines mention: a `const` used only there is used.
    pub fn mentioned_by_settings(&self, file: &File) -> Vec<usize> {
        let mut names = Vec::new();
        for statement in &file.statements {
            match &statement.kind {
                StatementKind::Optimizer {
                    arguments: Some(arguments),
                    ..
                }
                | StatementKind::Train { arguments, .. } => {
                    names_in_arguments(arguments, &mut names)
                }
                _ => {}
            }
        }
        names.iter().filter_map(|n| self.lookup(n)).collect()
    }

    /// A statement that failed to parse seems to define `name`.
    pub fn is_broken(&self, name: &str) -> bool {
        self.broken.contains(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(|s| s.name.as_str())
    }

    /// Symbols ordered so that each comes after the symbols it mentions. Symbols on a cycle are
    /// reported once per cycle and left out, as is everything that depends on them (those would
    /// only repeat the same error).
    pub fn dependency_order(&self, diagnostics: &mut Diagnostics) -> Vec<usize> {
        let dependencies = &self.dependencies;

        #[derive(Clone, Copy, PartialEq)]
        enum State {
            New,
            OnPath,
            Done,
            Broken,
        }
        let mut state = vec![State::New; self.list.len()];
        let mut order = Vec::with_capacity(self.list.len());
        for root in 0..self.list.len() {
            if state[root] != State::New {
                continue;
            }
            // Each frame: a symbol and how many of its dependencies have been visited.
            let mut path: Vec<(usize, usize)> = vec![(root, 0)];
            state[root] = State::OnPath;
            while let Some(&mut (symbol, ref mut next)) = path.last_mut() {
                if let Some(&dep) = dependencies[symbol].get(*next) {
                    *next += 1;
                    match state[dep] {
                        State::New => {
                            state[dep] = State::OnPath;
                            path.push((dep, 0));
                        }
                        State::OnPath => {
                            let start = path.iter().position(|&(s, _)| s == dep).unwrap_or(0);
                            let cycle: Vec<usize> = path[start..].iter().map(|&(s, _)| s).collect();
                            diagnostics.push(self.cycle_error(&cycle));
                            for &member in &cycle {
                                state[member] = State::Broken;
                            }
                        }
                        State::Broken => state[symbol] = State::Broken,
                        State::Done => {}
                    }
                } else {
                    path.pop();
                    if state[symbol] == State::OnPath {
                        state[symbol] = State::Done;
                        order.push(symbol);
                    } else if let Some(&(parent, _)) = path.last() {
                        // A broken dependency breaks whatever waits on it.
                        state[parent] = State::Broken;
                    }
                }
            }
        }
        order
    }

    fn cycle_error(&self, cycle: &[usize]) -> Diagnostic {
        // Start the story at the member written first, so the message does not depend on which
        // symbol the walk happened to begin with.
        let first = (0..cycle.len())
            .min_by_key(|&i| self.list[cycle[i]].span.start)
            .unwrap_or(0);
        let rotated: Vec<usize> = cycle[first..]
            .iter()
            .chain(&cycle[..first])
            .copied()
            .collect();
        let head = &self.list[rotated[0]];
        let chain: Vec<&str> = rotated
            .iter()
            .chain(std::iter::once(&rotated[0]))
            .map(|&s| self.list[s].name.as_str())
            .collect();
        let message = if rotated.len() == 1 {
            phrase::defined_by_itself(&head.name)
        } else {
            phrase::defined_by_itself_through(&head.name, chain.join(" → "))
        };
        let mut diagnostic = Diagnostic::error(Kind::Cycle, head.span, message)
            .with_label(phrase::defined_by_itself_label())
            .with_help(phrase::defined_by_itself_help());
        for &member in &rotated[1..] {
            let symbol = &self.list[member];
            diagnostic = diagnostic.with_note(symbol.span, phrase::part_of_the_cycle(&symbol.name));
        }
        diagnostic
    }
}

/// The names a statement's expressions mention (not the names of functions it calls).
fn mentioned_names<'a>(statement: &'a StatementKind, out: &mut Vec<&'a str>) {
    match statement {
        StatementKind::Dim { value, .. }
        | StatementKind::Definition { value, .. }
        | StatementKind::Loss { value, .. } => names_in(value, out),
        StatementKind::Declaration(d) => {
            if let Some(shape) = &d.shape {
                shape.dims.iter().for_each(|e| names_in(e, out));
            }
            if let Some(index) = &d.index {
                names_in_arguments(&index.arguments, out);
            }
            match &d.init {
                Some(DeclInit::Value(value)) | Some(DeclInit::Each { values: value, .. }) => {
                    names_in(value, out)
                }
                Some(DeclInit::Distribution {
                    arguments: Some(args),
                    ..
                }) => names_in_arguments(args, out),
                _ => {}
            }
        }
        StatementKind::Optimizer { .. } | StatementKind::Train { .. } => {}
    }
}

fn names_in_arguments<'a>(arguments: &'a Arguments, out: &mut Vec<&'a str>) {
    for argument in &arguments.items {
        names_in(&argument.value, out);
    }
}

/// Recursion is bounded by the expression height limit of the parser.
fn names_in<'a>(expr: &'a Expr, out: &mut Vec<&'a str>) {
    match &expr.kind {
        ExprKind::Name(ident) => out.push(&ident.text),
        ExprKind::Number(_) | ExprKind::Bool(_) => {}
        ExprKind::Call { arguments, .. } => names_in_arguments(arguments, out),
        ExprKind::Array(items) => items.iter().for_each(|e| names_in(e, out)),
        ExprKind::Neg(e) | ExprKind::Transpose(e) => names_in(e, out),
        ExprKind::Binary { lhs, rhs, .. }
        | ExprKind::Pick {
            value: lhs,
            index: rhs,
        } => {
            names_in(lhs, out);
            names_in(rhs, out);
        }
    }
}
