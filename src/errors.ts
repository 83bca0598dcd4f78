// The error classes of webgrad. Every error thrown by the library extends WebgradError and
// names the op, what it received and what it expected.

/** Base class of every error webgrad throws. */
export class WebgradError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** Shapes that do not fit the op (broadcasting, matmul, reshape sizes, axes). */
export class ShapeError extends WebgradError {}
/** A dtype the op does not accept, or two dtypes that do not match. */
export class DTypeError extends WebgradError {}
/** An option or argument out of range, non-finite or of the wrong kind. */
export class ArgumentError extends WebgradError {}
/** Use of a tensor after `dispose()`. */
export class DisposedError extends WebgradError {}
/**
 * A lazy computation reads contents that `assign` has overwritten since it was built (as
 * PyTorch's "modified by an inplace operation"): build it again from the updated tensor.
 */
export class StaleTensorError extends WebgradError {}
/** The GPU device was lost; tensors on it are gone. */
export class DeviceLostError extends WebgradError {}
/** The device could not allocate the memory a computation needs. */
export class OutOfMemoryError extends WebgradError {}
/** The browser's storage quota (IndexedDB) was exceeded while saving. */
export class StorageQuotaError extends WebgradError {}
