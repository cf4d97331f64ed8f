//! `F4`: four f32 lanes. simd128 `v128` when built with `+simd128`, a plain array otherwise, so
//! every kernel is written once and the scalar flavour is the same arithmetic lane by lane.

#[cfg(target_feature = "simd128")]
mod imp {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct F4(pub v128);

    impl F4 {
        #[inline(always)]
        pub fn splat(x: f32) -> F4 { F4(f32x4_splat(x)) }
        #[inline(always)]
        pub fn zero() -> F4 { F4(f32x4_splat(0.0)) }
        /// Unaligned load of 4 floats.
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> F4 { F4(v128_load(p as *const v128)) }
        #[inline(always)]
        pub unsafe fn store(self, p: *mut f32) { v128_store(p as *mut v128, self.0) }
        /// Broadcast one float from memory.
        #[inline(always)]
        pub unsafe fn load_splat(p: *const f32) -> F4 { F4(v128_load32_splat(p as *const u32)) }
        /// A load the compiler must not fold into a `v128.const` (V8 builds those from scalar moves and
        /// shuffles, slower in a hot loop than one load from L1).
        #[inline(always)]
        pub unsafe fn load_volatile(p: *const f32) -> F4 { F4(core::ptr::read_volatile(p as *const v128)) }
        /// 2^n from `t = x + 1.5·2^23`, whose low mantissa bits hold n = round(x) (|n| < 2^22).
        #[inline(always)]
        pub fn exp2_from_magic(t: F4) -> F4 { F4(i32x4_shl(i32x4_add(t.0, i32x4_splat(127)), 23)) }
        #[inline(always)]
        pub fn add(self, o: F4) -> F4 { F4(f32x4_add(self.0, o.0)) }
        #[inline(always)]
        pub fn sub(self, o: F4) -> F4 { F4(f32x4_sub(self.0, o.0)) }
        #[inline(always)]
        pub fn mul(self, o: F4) -> F4 { F4(f32x4_mul(self.0, o.0)) }
        #[inline(always)]
        pub fn div(self, o: F4) -> F4 { F4(f32x4_div(self.0, o.0)) }
        /// self * b + c (two roundings: simd128 has no fused multiply-add).
        #[inline(always)]
        pub fn mul_add(self, b: F4, c: F4) -> F4 { F4(f32x4_add(f32x4_mul(self.0, b.0), c.0)) }
        #[inline(always)]
        pub fn min(self, o: F4) -> F4 { F4(f32x4_pmin(self.0, o.0)) }
        #[inline(always)]
        pub fn max(self, o: F4) -> F4 { F4(f32x4_pmax(self.0, o.0)) }
        #[inline(always)]
        pub fn abs(self) -> F4 { F4(f32x4_abs(self.0)) }
        #[inline(always)]
        pub fn neg(self) -> F4 { F4(f32x4_neg(self.0)) }
        #[inline(always)]
        pub fn sqrt(self) -> F4 { F4(f32x4_sqrt(self.0)) }
        #[inline(always)]
        pub fn floor(self) -> F4 { F4(f32x4_floor(self.0)) }
        /// Lane mask of self > o.
        #[inline(always)]
        pub fn gt(self, o: F4) -> F4 { F4(f32x4_gt(self.0, o.0)) }
        /// Lane mask of self < o.
        #[inline(always)]
        pub fn lt(self, o: F4) -> F4 { F4(f32x4_lt(self.0, o.0)) }
        /// Where mask lanes are set take `a`, else `b`.
        #[inline(always)]
        pub fn select(mask: F4, a: F4, b: F4) -> F4 { F4(v128_bitselect(a.0, b.0, mask.0)) }
        #[inline(always)]
        pub fn first(self) -> f32 { f32x4_extract_lane::<0>(self.0) }
        #[inline(always)]
        pub fn sum(self) -> f32 {
            f32x4_extract_lane::<0>(self.0) + f32x4_extract_lane::<1>(self.0)
                + f32x4_extract_lane::<2>(self.0) + f32x4_extract_lane::<3>(self.0)
        }
    }
}

#[cfg(not(target_feature = "simd128"))]
mod imp {
    /// IEEE square root: Rust 1.63's no_std core has no scalar one, so Newton's method in f64
    /// (correctly rounded after the f32 cast).
    fn sqrt_lane(x: f32) -> f32 {
        if !(x > 0.0) || x == f32::INFINITY {
            return if x == 0.0 || x == f32::INFINITY { x } else { f32::NAN };
        }
        let xd = x as f64;
        // initial guess: halve the exponent
        let mut y = f64::from_bits((xd.to_bits() >> 1) + (0x3ff0_0000_0000_0000u64 >> 1));
        for _ in 0..5 {
            y = 0.5 * (y + xd / y);
        }
        y as f32
    }

    /// floor without std: exact for all f32 (|x| >= 2^23 is already integral; NaN stays NaN).
    fn floor_lane(x: f32) -> f32 {
        if !(f32::from_bits(x.to_bits() & 0x7fff_ffff) < 8_388_608.0) {
            return x;
        }
        let t = (x as i32) as f32;
        if t > x { t - 1.0 } else { t }
    }

    #[derive(Clone, Copy)]
    pub struct F4(pub [f32; 4]);

    #[inline(always)]
    fn map(a: F4, f: impl Fn(f32) -> f32) -> F4 { F4([f(a.0[0]), f(a.0[1]), f(a.0[2]), f(a.0[3])]) }
    #[inline(always)]
    fn zip(a: F4, b: F4, f: impl Fn(f32, f32) -> f32) -> F4 {
        F4([f(a.0[0], b.0[0]), f(a.0[1], b.0[1]), f(a.0[2], b.0[2]), f(a.0[3], b.0[3])])
    }
    #[inline(always)]
    fn mask(c: bool) -> f32 { if c { f32::from_bits(u32::MAX) } else { 0.0 } }

    impl F4 {
        #[inline(always)]
        pub fn splat(x: f32) -> F4 { F4([x; 4]) }
        #[inline(always)]
        pub fn zero() -> F4 { F4([0.0; 4]) }
        #[inline(always)]
        pub unsafe fn load(p: *const f32) -> F4 { F4([*p, *p.add(1), *p.add(2), *p.add(3)]) }
        #[inline(always)]
        pub unsafe fn store(self, p: *mut f32) {
            *p = self.0[0]; *p.add(1) = self.0[1]; *p.add(2) = self.0[2]; *p.add(3) = self.0[3];
        }
        #[inline(always)]
        pub unsafe fn load_splat(p: *const f32) -> F4 { F4([*p; 4]) }
        #[inline(always)]
        pub unsafe fn load_volatile(p: *const f32) -> F4 { F4(core::ptr::read_volatile(p as *const [f32; 4])) }
        #[inline(always)]
        pub fn exp2_from_magic(t: F4) -> F4 {
            map(t, |v| f32::from_bits(((v.to_bits() as i32).wrapping_add(127) as u32) << 23))
        }
        #[inline(always)]
        pub fn add(self, o: F4) -> F4 { zip(self, o, |a, b| a + b) }
        #[inline(always)]
        pub fn sub(self, o: F4) -> F4 { zip(self, o, |a, b| a - b) }
        #[inline(always)]
        pub fn mul(self, o: F4) -> F4 { zip(self, o, |a, b| a * b) }
        #[inline(always)]
        pub fn div(self, o: F4) -> F4 { zip(self, o, |a, b| a / b) }
        #[inline(always)]
        pub fn mul_add(self, b: F4, c: F4) -> F4 { self.mul(b).add(c) }
        /// Same NaN behaviour as simd128's pmin/pmax: `b < a ? b : a`.
        #[inline(always)]
        pub fn min(self, o: F4) -> F4 { zip(self, o, |a, b| if b < a { b } else { a }) }
        #[inline(always)]
        pub fn max(self, o: F4) -> F4 { zip(self, o, |a, b| if a < b { b } else { a }) }
        #[inline(always)]
        pub fn abs(self) -> F4 { map(self, |a| f32::from_bits(a.to_bits() & 0x7fff_ffff)) }
        #[inline(always)]
        pub fn neg(self) -> F4 { map(self, |a| -a) }
        #[inline(always)]
        pub fn sqrt(self) -> F4 { map(self, sqrt_lane) }
        #[inline(always)]
        pub fn floor(self) -> F4 { map(self, floor_lane) }
        #[inline(always)]
        pub fn gt(self, o: F4) -> F4 { zip(self, o, |a, b| mask(a > b)) }
        #[inline(always)]
        pub fn lt(self, o: F4) -> F4 { zip(self, o, |a, b| mask(a < b)) }
        #[inline(always)]
        pub fn select(m: F4, a: F4, b: F4) -> F4 {
            let s = |i: usize| if m.0[i].to_bits() != 0 { a.0[i] } else { b.0[i] };
            F4([s(0), s(1), s(2), s(3)])
        }
        #[inline(always)]
        pub fn first(self) -> f32 { self.0[0] }
        #[inline(always)]
        pub fn sum(self) -> f32 { self.0[0] + self.0[1] + self.0[2] + self.0[3] }
    }
}

pub use imp::F4;
