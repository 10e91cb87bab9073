//! Names for the placeholders a derivation writes beside the file's own names: the variable of a
//! rule (`d/dz σ(z)`), the weight and gradient of an update rule (`w⁺ = w − η·g`), the layer of
//! a note (`δv is the gradient …`), the step of a finite difference.
//!
//! A placeholder must never be one of the file's names: in a file with a parameter `v`, "the
//! velocity v" or "δv" would say something false about it. Each placeholder is the first name of
//! its pool that the file does not use and that no other placeholder of its group took (a rule
//! can use a, b and x together, never two roles under one name). Different groups may share a
//! name: they appear in different sentences.

use std::collections::HashSet;

use super::{Formula, Symbol};

/// What a placeholder stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    // The rules list.
    /// The argument of a function: `d/dz σ(z)`.
    Argument,
    /// A vector reduced by sum or mean: `∂sum(v)/∂vᵢ`.
    Vector,
    /// Element indices: `vᵢ`, `δᵢⱼ`.
    Index,
    OtherIndex,
    /// The number of elements of a mean.
    Count,
    /// The operands of a product or quotient: `∂(a·b)/∂a = b`.
    Left,
    Right,
    /// The base and exponent of a power: `d/dx xⁿ`.
    Base,
    Exponent,
    /// A matrix product `u = W x`.
    Product,
    Matrix,
    Operand,
    /// Softmax's probabilities, the target, and log-softmax's output.
    Probability,
    Target,
    LogProbability,
    /// The mean over a batch: `μ = (1/m) Σᵢ v⁽ⁱ⁾`.
    Mean,
    // The optimizer's update.
    Weight,
    Gradient,
    Velocity,
    FirstMoment,
    SecondMoment,
    LearningRate,
    Momentum,
    Beta1,
    Beta2,
    Epsilon,
    // The gradient check.
    CheckWeight,
    CheckStep,
    // Notes about layers.
    Layer,
    /// `repeat(v, a, n)` of a gradient along an axis: what is repeated, along which axis, how
    /// many times.
    Repeated,
    Axis,
    Times,
}

/// The roles of each group, in the order they choose (earlier roles get their first choice).
/// A rule's roles are each a group of their own: the pools of the roles one rule uses together
/// share no name (see the test), so each role takes its first free name, the same in every
/// rule that uses it.
const GROUPS: [&[Role]; 23] = [
    &[Role::Argument],
    &[Role::Vector],
    &[Role::Index],
    &[Role::OtherIndex],
    &[Role::Count],
    &[Role::Left],
    &[Role::Right],
    &[Role::Base],
    &[Role::Exponent],
    &[Role::Product],
    &[Role::Matrix],
    &[Role::Operand],
    &[Role::Probability],
    &[Role::Target],
    &[Role::LogProbability],
    &[Role::Mean],
    &[
        Role::Weight,
        Role::Gradient,
        Role::Velocity,
        Role::FirstMoment,
        Role::SecondMoment,
        Role::LearningRate,
        Role::Momentum,
        Role::Beta1,
        Role::Beta2,
        Role::Epsilon,
    ],
    &[Role::CheckWeight, Role::CheckStep],
    &[Role::Layer],
    &[Role::Repeated],
    &[Role::Axis],
    &[Role::Times],
    &[],
];

/// The roles one rule's statement uses together.
#[cfg(test)]
const TOGETHER: [&[Role]; 11] = [
    &[Role::Vector, Role::Index, Role::Count],
    &[Role::Left, Role::Right],
    &[Role::Base, Role::Exponent],
    &[Role::Product, Role::Matrix, Role::Operand],
    &[
        Role::Probability,
        Role::Argument,
        Role::LogProbability,
        Role::Index,
        Role::OtherIndex,
    ],
    &[Role::Probability, Role::Argument, Role::Target],
    &[
        Role::Probability,
        Role::Argument,
        Role::LogProbability,
        Role::Target,
    ],
    &[Role::Mean, Role::Vector],
    &[Role::CheckWeight, Role::CheckStep],
    &[Role::Layer],
    &[
        Role::Probability,
        Role::Argument,
        Role::LogProbability,
        Role::Index,
        Role::OtherIndex,
        Role::Repeated,
        Role::Axis,
        Role::Times,
    ],
];

fn pool(role: Role) -> &'static [&'static str] {
    match role {
        Role::Argument => &["z", "t", "s", "u", "ξ", "ζ"],
        Role::Vector => &["v", "u", "c", "ξ", "ψ"],
        Role::Index => &["i", "k", "m", "r"],
        Role::OtherIndex => &["j", "e", "g", "f"],
        Role::Count => &["n", "N", "K", "M"],
        Role::Left => &["a", "c", "f", "r"],
        Role::Right => &["b", "e", "q", "k"],
        Role::Base => &["x", "s", "t", "ξ"],
        Role::Exponent => &["n", "k", "r", "ν"],
        Role::Product => &["u", "z", "s", "t"],
        Role::Matrix => &["W", "A", "M", "K", "U"],
        Role::Operand => &["x", "v", "c", "ξ"],
        Role::Probability => &["p", "q", "π", "ρ"],
        Role::Target => &["y", "c", "τ", "κ"],
        Role::LogProbability => &["ℓ", "λ", "l", "φ"],
        Role::Mean => &["μ", "ρ", "ϖ"],
        Role::Weight | Role::CheckWeight => &["w", "θ", "ω", "ϑ"],
        Role::Gradient => &["g", "γ", "G", "q"],
        Role::Velocity => &["v", "ν", "u", "V"],
        Role::FirstMoment => &["m", "M", "μ", "a"],
        Role::SecondMoment => &["v", "ν", "s", "S"],
        Role::LearningRate => &["η", "α", "λ"],
        Role::Momentum => &["μ", "ρ", "κ"],
        Role::Beta1 => &["β₁", "b₁", "κ₁"],
        Role::Beta2 => &["β₂", "b₂", "κ₂"],
        Role::Epsilon => &["ε", "ϵ", "e"],
        Role::CheckStep => &["h", "Δ", "k", "s"],
        Role::Layer => &["v", "ℓ", "k", "q"],
        Role::Repeated => &["v", "w", "h", "χ"],
        Role::Axis => &["a", "b", "d", "c"],
        Role::Times => &["n", "N", "M", "K"],
    }
}

/// The placeholder names of one derivation.
#[derive(Clone, Debug)]
pub struct Placeholders {
    chosen: Vec<(Role, String)>,
}

impl Placeholders {
    /// Placeholders that avoid every name in `taken` (the file's names).
    pub fn avoiding<'a>(taken: impl IntoIterator<Item = &'a str>) -> Placeholders {
        let taken: HashSet<&str> = taken.into_iter().collect();
        let mut chosen = Vec::new();
        for group in GROUPS {
            let mut used: HashSet<String> = HashSet::new();
            for &role in group {
                let free = |name: &str| !taken.contains(name) && !used.contains(name);
                let name = pool(role)
                    .iter()
                    .map(|s| s.to_string())
                    .find(|name| free(name))
                    .unwrap_or_else(|| {
                        // Every name of the pool is taken: primes on the first one.
                        let mut name = pool(role)[0].to_string();
                        while !free(&name) {
                            name.push('′');
                        }
                        name
                    });
                used.insert(name.clone());
                chosen.push((role, name));
            }
        }
        Placeholders { chosen }
    }

    pub fn name(&self, role: Role) -> &str {
        self.chosen
            .iter()
            .find(|(r, _)| *r == role)
            .map_or("?", |(_, name)| name.as_str())
    }

    pub fn symbol(&self, role: Role) -> Symbol {
        Symbol::plain(self.name(role))
    }

    pub fn formula(&self, role: Role) -> Formula {
        Formula::Symbol(self.symbol(role))
    }
}

impl Default for Placeholders {
    fn default() -> Placeholders {
        Placeholders::avoiding([])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_the_usual_letters_when_the_file_leaves_them_free() {
        let names = Placeholders::default();
        assert_eq!(names.name(Role::Argument), "z");
        assert_eq!(names.name(Role::Weight), "w");
        assert_eq!(names.name(Role::Velocity), "v");
        assert_eq!(names.name(Role::CheckStep), "h");
        assert_eq!(names.name(Role::Layer), "v");
    }

    #[test]
    fn no_placeholder_is_a_name_of_the_file() {
        let file = ["x", "y", "z", "h", "v", "w", "W", "g", "p", "a", "b", "E"];
        let names = Placeholders::avoiding(file);
        for group in GROUPS.iter().chain(TOGETHER.iter()) {
            let chosen: Vec<&str> = group.iter().map(|&r| names.name(r)).collect();
            for name in &chosen {
                assert!(!file.contains(name), "{name} is the file's");
                assert_eq!(
                    chosen.iter().filter(|n| *n == name).count(),
                    1,
                    "{name} twice in {chosen:?}"
                );
            }
        }
        assert_eq!(names.name(Role::Argument), "t");
        assert_eq!(names.name(Role::Velocity), "ν");
        assert_eq!(names.name(Role::CheckStep), "Δ");
    }

    #[test]
    fn roles_used_together_never_share_a_name() {
        for together in TOGETHER {
            for (i, a) in together.iter().enumerate() {
                for b in &together[i + 1..] {
                    let shared: Vec<_> = pool(*a).iter().filter(|n| pool(*b).contains(n)).collect();
                    assert!(shared.is_empty(), "{a:?} and {b:?} share {shared:?}");
                }
            }
        }
    }

    #[test]
    fn a_file_that_takes_a_whole_pool_gets_primed_names() {
        let names = Placeholders::avoiding(["η", "α", "λ"]);
        assert_eq!(names.name(Role::LearningRate), "η′");
    }
}
