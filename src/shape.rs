//! Shapes of values: a scalar, a vector `[n]` or a matrix `[m, n]`.

use std::fmt;

use crate::words::{Arg, Language, Message, phrase};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    Scalar,
    Vector(usize),
    /// Rows, columns.
    Matrix(usize, usize),
}

impl Shape {
    pub fn from_dims(dims: &[usize]) -> Option<Shape> {
        match *dims {
            [] => Some(Shape::Scalar),
            [n] => Some(Shape::Vector(n)),
            [m, n] => Some(Shape::Matrix(m, n)),
            _ => None,
        }
    }

    pub fn dims(self) -> Vec<usize> {
        match self {
            Shape::Scalar => vec![],
            Shape::Vector(n) => vec![n],
            Shape::Matrix(m, n) => vec![m, n],
        }
    }

    pub fn rank(self) -> usize {
        match self {
            Shape::Scalar => 0,
            Shape::Vector(_) => 1,
            Shape::Matrix(..) => 2,
        }
    }

    /// Number of elements. Saturates rather than overflows, so that an absurd declared shape is
    /// still reported as absurd instead of wrapping to something small.
    pub fn size(self) -> usize {
        match self {
            Shape::Scalar => 1,
            Shape::Vector(n) => n,
            Shape::Matrix(m, n) => m.saturating_mul(n),
        }
    }

    pub fn is_scalar(self) -> bool {
        self == Shape::Scalar
    }

    /// The shape's noun in English, for comments in generated code: "a scalar", "a vector [3]",
    /// "a matrix [2, 3]".
    pub fn describe(self) -> String {
        Language::English.say(&self.noun())
    }

    /// The shape's noun, for messages: "a scalar", "a vector [3]", "a matrix [2, 3]".
    pub fn noun(self) -> Message {
        match self {
            Shape::Scalar => phrase::a_scalar(),
            Shape::Vector(_) => phrase::a_vector(self.to_string()),
            Shape::Matrix(..) => phrase::a_matrix(self.to_string()),
        }
    }
}

/// A shape in a message, as a declaration writes it: `[2, 3]`, or the word for a scalar.
impl From<Shape> for Arg {
    fn from(shape: Shape) -> Arg {
        match shape {
            Shape::Scalar => phrase::scalar().into(),
            _ => shape.to_string().into(),
        }
    }
}

impl fmt::Display for Shape {
    /// As written in a declaration: `[2, 3]`; a scalar is `scalar`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Scalar => f.write_str("scalar"),
            Shape::Vector(n) => write!(f, "[{n}]"),
            Shape::Matrix(m, n) => write!(f, "[{m}, {n}]"),
        }
    }
}
