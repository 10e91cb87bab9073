//! Intervals holding every element of a generated value, so the generator keeps each value
//! within a bound and each argument of `log`, `sqrt` or a divisor away from zero.

/// An interval holding every element of a value.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bounds {
    pub(super) lo: f64,
    pub(super) hi: f64,
}

impl Bounds {
    pub(super) fn of(values: &[f64]) -> Bounds {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Bounds { lo, hi }
    }

    pub(super) fn point(x: f64) -> Bounds {
        Bounds { lo: x, hi: x }
    }

    pub(super) fn magnitude(self) -> f64 {
        self.lo.abs().max(self.hi.abs())
    }

    pub(super) fn add(self, other: Bounds) -> Bounds {
        Bounds {
            lo: self.lo + other.lo,
            hi: self.hi + other.hi,
        }
    }

    pub(super) fn neg(self) -> Bounds {
        Bounds {
            lo: -self.hi,
            hi: -self.lo,
        }
    }

    pub(super) fn sub(self, other: Bounds) -> Bounds {
        self.add(other.neg())
    }

    pub(super) fn mul(self, other: Bounds) -> Bounds {
        let products = [
            self.lo * other.lo,
            self.lo * other.hi,
            self.hi * other.lo,
            self.hi * other.hi,
        ];
        Bounds::of(&products)
    }

    pub(super) fn scale(self, k: f64) -> Bounds {
        self.mul(Bounds::point(k))
    }

    /// Of a divisor that is positive.
    pub(super) fn recip(self) -> Bounds {
        assert!(self.lo > 0.0, "a divisor that may be zero: {self:?}");
        Bounds {
            lo: 1.0 / self.hi,
            hi: 1.0 / self.lo,
        }
    }

    pub(super) fn increasing(self, f: impl Fn(f64) -> f64) -> Bounds {
        Bounds {
            lo: f(self.lo),
            hi: f(self.hi),
        }
    }

    pub(super) fn relu(self) -> Bounds {
        self.increasing(|x| x.max(0.0))
    }

    pub(super) fn abs(self) -> Bounds {
        if self.lo >= 0.0 {
            self
        } else if self.hi <= 0.0 {
            self.neg()
        } else {
            Bounds {
                lo: 0.0,
                hi: self.magnitude(),
            }
        }
    }

    pub(super) fn pow(self, p: f64) -> Bounds {
        if p == 0.0 {
            return Bounds::point(1.0);
        }
        let integer = p.fract() == 0.0;
        if self.lo > 0.0 {
            let (a, b) = (self.lo.powf(p), self.hi.powf(p));
            return Bounds {
                lo: a.min(b),
                hi: a.max(b),
            };
        }
        assert!(integer && p > 0.0, "x^{p} of {self:?}");
        if p as i64 % 2 == 0 {
            self.abs().increasing(|x| x.powf(p))
        } else {
            self.increasing(|x| x.powf(p))
        }
    }

    /// Of `softmax` of a vector of `n` elements within `self`.
    pub(super) fn softmax(self, n: usize) -> Bounds {
        if n == 1 {
            return Bounds::point(1.0);
        }
        let width = self.hi - self.lo;
        let others = (n - 1) as f64;
        Bounds {
            lo: 1.0 / (1.0 + others * width.exp()),
            hi: 1.0 / (1.0 + others * (-width).exp()),
        }
    }
}

pub(super) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
