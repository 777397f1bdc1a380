//! Random numbers that depend only on the seed and on where they are used: each replication
//! and source of uncertainty draws from its own stream, so the results are the same on any
//! number of threads.

/// SplitMix64, to derive independent stream seeds from a seed and stream coordinates.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// xoshiro256++: a small, fast generator with a 2^256 period.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// The stream for a seed and its coordinates (design matrix, row, source).
    pub(crate) fn stream(seed: u64, coordinates: &[u64]) -> Self {
        let mut x = splitmix(seed);
        for c in coordinates {
            x = splitmix(x ^ splitmix(*c));
        }
        let mut s = [0u64; 4];
        for slot in &mut s {
            x = splitmix(x);
            *slot = x;
        }
        Rng { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1), with 53 random bits.
    pub(crate) fn uniform(&mut self) -> f64 {
        // The top 53 bits fit a double's mantissa exactly.
        #[allow(clippy::cast_precision_loss)]
        let top = (self.next_u64() >> 11) as f64;
        top * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw (Marsaglia's polar method).
    pub(crate) fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// A Gamma(shape, 1) draw (Marsaglia and Tsang, 2000).
    pub(crate) fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform().max(f64::MIN_POSITIVE);
            return self.gamma(shape + 1.0) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// A Beta(a, b) draw.
    pub(crate) fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        let y = self.gamma(b);
        x / (x + y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut a = Rng::stream(7, &[1, 2]);
        let mut b = Rng::stream(7, &[1, 2]);
        let mut c = Rng::stream(7, &[2, 1]);
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(x, y);
        assert_ne!(x, z);
    }

    #[test]
    fn draws_have_their_expected_means() {
        let mut rng = Rng::stream(1, &[]);
        let n = 200_000;
        let mean = |f: &mut dyn FnMut() -> f64| (0..n).map(|_| f()).sum::<f64>() / f64::from(n);
        assert!((mean(&mut || rng.uniform()) - 0.5).abs() < 0.005);
        let mut rng = Rng::stream(2, &[]);
        assert!((mean(&mut || rng.normal())).abs() < 0.01);
        let mut rng = Rng::stream(3, &[]);
        // Beta(9, 3) has mean 9 / 12.
        assert!((mean(&mut || rng.beta(9.0, 3.0)) - 0.75).abs() < 0.005);
        let mut rng = Rng::stream(4, &[]);
        assert!((mean(&mut || rng.gamma(0.5)) - 0.5).abs() < 0.01);
    }
}
