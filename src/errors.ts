// The error classes of webgrad. Every error thrown by the library extends WebgradError and
// names the op, what it received and what it expected. Names are set by hand, not read from
// the class, so a minified build still says `ShapeError` (in `.name` and in stack traces).

/** Gives `cls` the name `name` on its prototype (read by `.name` and stack traces) and itself. */
function named<C extends abstract new (...args: never[]) => Error>(cls: C, name: string): C {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  Object.defineProperty(cls, 'name', { value: name, configurable: true });
  return cls;
}

/** Base class of every error webgrad throws. */
export class WebgradError extends Error {
  static {
    named(this, 'WebgradError');
  }
}
/** Shapes that do not fit the op (broadcasting, matmul, reshape sizes, axes). */
export class ShapeError extends WebgradError {
  static {
    named(this, 'ShapeError');
  }
}
/** A dtype the op does not accept, or two dtypes that do not match. */
export class DTypeError extends WebgradError {
  static {
    named(this, 'DTypeError');
  }
}
/** An option or argument out of range, non-finite or of the wrong kind. */
export class ArgumentError extends WebgradError {
  static {
    named(this, 'ArgumentError');
  }
}
/** Use of a tensor after `dispose()`. */
export class DisposedError extends WebgradError {
  static {
    named(this, 'DisposedError');
  }
}
/**
 * A lazy computation reads contents that `assign` has overwritten since it was built (as
 * PyTorch's "modified by an inplace operation"): build it again from the updated tensor.
 */
export class StaleTensorError extends WebgradError {
  static {
    named(this, 'StaleTensorError');
  }
}
/** The GPU device was lost; tensors on it are gone. */
export class DeviceLostError extends WebgradError {
  static {
    named(this, 'DeviceLostError');
  }
}
/** The device could not allocate the memory a computation needs. */
export class OutOfMemoryError extends WebgradError {
  static {
    named(this, 'OutOfMemoryError');
  }
}
/** The browser's storage quota (IndexedDB) was exceeded while saving. */
export class StorageQuotaError extends WebgradError {
  static {
    named(this, 'StorageQuotaError');
  }
}
