//! Derivations as data: what `nabla derive` and `nabla explain` show, computed once, for the
//! renderers to lay out in any format and language.
//!
//! Architecture invariant: everything a reader sees that involves mathematics — which formula,
//! which value, which rounding — is decided here; renderers and templates only arrange it.

pub mod batch_passes;
pub mod budget;
pub mod chain;
pub mod explanation;
pub mod gradcheck;
pub mod gradients;
pub mod graph_view;
pub mod number;
pub mod scalar;
mod scalar_passes;
mod softmax_lines;
pub mod training;
mod update;
pub mod values;
mod vector_passes;

pub use gradients::{GradientDerivation, Line, LineKind};
