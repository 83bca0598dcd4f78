// The active backend and how it is chosen: `init` finds a WebGPU device (or falls back to the
// CPU with one warning), `activeBackend` is what realize and readback use.

import type { Backend, BackendName } from './backend/backend';
import { CpuBackend } from './backend/cpu/cpu-backend';
import { cpuFeatures, loadFastKernels } from './backend/cpu/fast-kernels';
import { ReferenceBackend } from './backend/reference/reference-backend';
import { adapterKey, findGpu, requestDevice, summarize, watchDevice, type AdapterSummary } from './backend/webgpu/device';
import { platformTimingStore } from './backend/webgpu/timing-store';
import { WebGpuBackend } from './backend/webgpu/webgpu-backend';
import { ArgumentError, DeviceLostError, WebgradError } from './errors';

export interface InitOptions {
  backend?: BackendName;
  /** A GPU object (browser: navigator.gpu); Node finds Dawn's when omitted. */
  gpu?: GPU;
  /** An existing device to share. */
  device?: GPUDevice;
  /**
   * `'background'` (default on GPUs): the first use of a kernel's shape class on an adapter times
   * its variants in the background, kept per adapter (`localStorage`, or a file in Node's cache
   * folder); `'off'`: only stored measurements are used. `'off'` is the default on SwiftShader,
   * a CPU emulation: there compiling one candidate takes seconds of the CPU the program runs on,
   * and measuring picks the default variants anyway. In Node, `WEBGRAD_CALIBRATION` sets the default.
   */
  calibration?: 'background' | 'off';
}

export interface InitResult {
  backend: BackendName;
  adapter: AdapterSummary;
  limits: Record<string, number>;
  /** The CPU backend runs WebAssembly SIMD kernels (else plain TypeScript ones). */
  simd: boolean;
  /** The CPU backend's kernels run on worker threads. */
  threads: boolean;
}

let active: Backend | null = null;
let cpu: CpuBackend | null = null;
let webgpu: WebGpuBackend | null = null;
let reference: ReferenceBackend | null = null;
let adapter: AdapterSummary = { vendor: '', architecture: '', description: '' };
let lost: DeviceLostError | null = null;
let pending: Promise<InitResult> | null = null;
let calibrationDefault: InitOptions['calibration'];

/** @internal The Node entry sets it from `WEBGRAD_CALIBRATION`. */
export function setCalibrationDefault(mode: InitOptions['calibration']): void {
  calibrationDefault = mode;
}

function limitsOf(device: GPUDevice | null): Record<string, number> {
  const out: Record<string, number> = {};
  if (!device) return out;
  for (const key in device.limits) {
    const v = (device.limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

function result(): InitResult {
  return { backend: active!.name, adapter, limits: limitsOf(webgpu?.device ?? null), ...cpuFeatures() };
}

/** Calibration where neither the caller nor the environment chose: off on CPU emulation. */
function defaultCalibration(architecture: string): NonNullable<InitOptions['calibration']> {
  return architecture === 'swiftshader' ? 'off' : 'background';
}

async function startWebGpu(opts: InitOptions): Promise<WebGpuBackend | null> {
  // A lost device is replaced; a different shared device replaces the current one.
  if (webgpu && !lost && (!opts.device || opts.device === webgpu.device)) {
    if (opts.calibration) webgpu.calibration.background = opts.calibration === 'background';
    return webgpu;
  }
  if (active === webgpu) active = null;
  webgpu = null;
  lost = null;
  let device = opts.device ?? null;
  if (device) adapter = summarize(device.adapterInfo);
  else {
    const gpu = opts.gpu ?? (await findGpu());
    const got = gpu ? await requestDevice(gpu) : null;
    if (!got) return null;
    device = got.device;
    adapter = got.adapter;
  }
  const backend = new WebGpuBackend(device, adapter.architecture, { adapterKey: adapterKey(adapter), store: platformTimingStore(), background: (opts.calibration ?? calibrationDefault ?? defaultCalibration(adapter.architecture)) !== 'off' });
  await backend.calibration.load();
  watchDevice(device, (e) => {
    if (webgpu === backend) lost = e;
  });
  webgpu = backend;
  return webgpu;
}

const INIT_KEYS: readonly string[] = ['backend', 'gpu', 'device', 'calibration'];

/** Chooses the backend (WebGPU where an adapter exists, else CPU with a warning). */
export async function init(opts: InitOptions = {}): Promise<InitResult> {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new ArgumentError(`init: options must be an object ({ backend?, gpu?, device?, calibration? }), got ${Array.isArray(opts) ? 'an array' : typeof opts}`);
  const unknown = Object.keys(opts).filter((k) => !INIT_KEYS.includes(k));
  if (unknown.length > 0) throw new ArgumentError(`init: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (accepted: ${INIT_KEYS.join(', ')})`);
  if (opts.backend !== undefined && opts.backend !== 'webgpu' && opts.backend !== 'cpu') {
    throw new ArgumentError(`init: backend must be 'webgpu' or 'cpu', got ${JSON.stringify(opts.backend)}`);
  }
  if (opts.calibration !== undefined && opts.calibration !== 'background' && opts.calibration !== 'off') {
    throw new ArgumentError(`init: calibration must be 'background' or 'off', got ${JSON.stringify(opts.calibration)}`);
  }
  await loadFastKernels();
  if (opts.backend === 'cpu') {
    active = cpu ??= new CpuBackend();
    return result();
  }
  const gpu = await startWebGpu(opts);
  if (gpu) active = gpu;
  else if (opts.backend === 'webgpu') throw new WebgradError('init: no WebGPU adapter was found (navigator.gpu is missing or returned no adapter)');
  else {
    console.warn('webgrad: no WebGPU adapter found; using the CPU backend');
    active = cpu ??= new CpuBackend();
  }
  return result();
}

/** Initializes with defaults the first time a value is needed. */
export async function ensureInit(): Promise<Backend> {
  if (!active) await (pending ??= init());
  return activeBackend();
}

export function isInitialized(): boolean {
  return active !== null;
}

export function activeBackend(): Backend {
  if (lost && active === webgpu) throw lost;
  if (!active) {
    throw new WebgradError('webgrad is not initialized: call `await wg.init()` first (reading a value with `await t.data()` also initializes)');
  }
  return active;
}

/**
 * Makes the node-by-node reference backend active (internal: the tests check the fast backends
 * against it). It keeps values on the host as the CPU backend does, so tensors move between the
 * two freely; `wg.init({ backend: 'cpu' })` switches back.
 */
export function useReferenceBackend(): void {
  active = reference ??= new ReferenceBackend();
}

/** Switches the active backend; `moveToHost` copies device data of live tensors first. */
export async function switchBackend(name: BackendName, moveToHost: (from: Backend) => Promise<void>): Promise<void> {
  const from = active;
  if (from?.name === name) return;
  if (name === 'cpu') {
    await loadFastKernels();
    if (from) await moveToHost(from);
    active = cpu ??= new CpuBackend();
    return;
  }
  if (name !== 'webgpu') throw new ArgumentError(`setBackend: backend must be 'webgpu' or 'cpu', got ${JSON.stringify(name)}`);
  const gpu = await startWebGpu({});
  if (!gpu) throw new WebgradError('setBackend: no WebGPU adapter was found');
  active = gpu;
}

export function webgpuBackend(): WebGpuBackend | null {
  return webgpu;
}
