//! `nabla gen --target pytorch`: a checked model becomes a small Python project that trains the
//! same network with PyTorch.
//!
//! [`expr`] translates the expression graph into PyTorch expressions (reusable by any writer of
//! PyTorch code).

pub mod expr;
