//! nabla: write a neural network in a small language, and see how it learns.
//!
//! The stages, each a module, data flowing one way: [`syntax`] (text → AST) → [`check`] (AST →
//! typed expression graph, the [`ir`]) → … See docs/architecture.md for the map.

pub mod autodiff;
pub mod check;
pub mod codegen;
pub mod data;
pub mod decimal;
pub mod diagnostic;
pub mod eval;
pub mod exact;
pub mod explain;
pub mod init;
pub mod ir;
pub mod notation;
pub mod pipeline;
pub mod render;
pub mod shape;
pub mod span;
pub mod syntax;
pub mod tensor;
pub mod words;

use diagnostic::{Diagnostic, Diagnostics};
use ir::Model;

/// The front end in one call: parse and check `source`. Returns the model (if the file is valid)
/// and every diagnostic, errors and warnings, in source order.
pub fn compile(source: &str) -> (Option<Model>, Vec<Diagnostic>) {
    let mut diagnostics = Diagnostics::default();
    let file = syntax::parse(source, &mut diagnostics);
    let model = check::check(source, &file, &mut diagnostics);
    // A value the file fixes (`log(0)`) that has none is an error for every command.
    let undefined = model.as_ref().and_then(eval::constants::undefined);
    let model = if diagnostics.has_errors() || undefined.is_some() {
        if let Some(undefined) = undefined {
            diagnostics.push(undefined);
        }
        None
    } else {
        model
    };
    (model, diagnostics.into_sorted())
}
