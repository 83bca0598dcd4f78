// The geometry of a 2-D convolution, shared by conv2d.wgsl, conv2d_transpose.wgsl and
// conv2d_weight_grad.wgsl (`//!INCLUDE conv-geometry`); src/ops/conv.ts sets every one.
// x [N,H,W,CIN] padded by PT rows on top and PL columns on the left, w [KH,KW,CIN_G,COUT],
// out [N,OH,OW,COUT]; strides SH, SW; dilations DH, DW; GROUPS groups of CIN_G input and
// COUT_G output channels. GRID_X: workgroups along x of the grid (it wraps into y).

override N: u32;
override H: u32;
override W: u32;
override CIN: u32;
override OH: u32;
override OW: u32;
override COUT: u32;
override KH: u32;
override KW: u32;
override SH: u32;
override SW: u32;
override PT: u32;
override PL: u32;
override DH: u32;
override DW: u32;
override GROUPS: u32;
override CIN_G: u32;
override COUT_G: u32;
override GRID_X: u32;
