//! losses kernels: see the header of each function.
