//! embedding kernels: see the header of each function.
