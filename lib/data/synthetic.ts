/**
 * Small seeded 2-D (and d-D) classification sets, the kind TensorFlow Playground trains on: cheap
 * enough to run a whole grid of batch sizes in seconds, hard enough that a hidden layer matters.
 * Sample i belongs to class i mod k, so classes are balanced to within one sample. Targets are
 * always one-hot (xor too, as 2 classes), so every set fits the same softmax head.
 */
import { Matrix, assertFinite } from "../matrix/matrix.js";
import { createRng, type Rng } from "../random/rng.js";
import { oneHot, type Dataset } from "./dataset.js";

export interface SyntheticOptions {
  /** Number of samples (rows). */
  readonly samples?: number;
  /** Standard deviation of the gaussian noise added to every input coordinate. */
  readonly noise?: number;
  /** Seed for a fresh generator, used when no `rng` is given. */
  readonly seed?: number;
  /** A generator to draw from instead of `seed`, to thread one generator through a whole experiment. */
  readonly rng?: Rng;
}

interface Resolved {
  readonly samples: number;
  readonly noise: number;
  readonly rng: Rng;
}

function resolve(what: string, options: SyntheticOptions, defaults: { samples: number; noise: number }): Resolved {
  const samples = options.samples ?? defaults.samples;
  const noise = options.noise ?? defaults.noise;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(`${what}: samples must be a positive integer, got ${samples}`);
  }
  if (!Number.isFinite(noise) || noise < 0) {
    throw new RangeError(`${what}: noise must be a finite number ≥ 0, got ${noise}`);
  }
  return { samples, noise, rng: options.rng ?? createRng(options.seed ?? 0) };
}

/** Builds the set from one point per sample; `point(c, out)` writes a class-c point into `out`. */
function generate(
  name: string,
  { samples, noise, rng }: Resolved,
  classes: number,
  dims: number,
  point: (c: number, out: Float64Array) => void,
): Dataset {
  const inputs = new Matrix(samples, dims);
  const labels = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    const c = i % classes;
    const row = inputs.row(i);
    point(c, row);
    if (noise > 0) for (let j = 0; j < dims; j++) row[j] += noise * rng.normal();
    labels[i] = c;
  }
  return { name, inputs, targets: oneHot(labels, classes) };
}

/**
 * XOR of signs: x, y uniform in [−1, 1], class 1 when x and y have opposite signs (x·y < 0),
 * class 0 when they agree. Not linearly separable: the classic case for a hidden layer.
 */
export function xor(options: SyntheticOptions = {}): Dataset {
  const r = resolve("xor", options, { samples: 200, noise: 0 });
  return generate("xor", r, 2, 2, (c, out) => {
    const x = 2 * r.rng.uniform() - 1;
    const y = r.rng.uniform(); // |y|, its sign set by the class
    out[0] = x;
    out[1] = (x < 0) === (c === 1) ? y : -y;
  });
}

export interface CirclesOptions extends SyntheticOptions {
  /** Radius of the class-0 ring. */
  readonly inner?: number;
  /** Radius of the class-1 ring. */
  readonly outer?: number;
}

/** Two concentric rings: class 0 at radius `inner`, class 1 at radius `outer`, angles uniform. */
export function circles(options: CirclesOptions = {}): Dataset {
  const r = resolve("circles", options, { samples: 200, noise: 0 });
  const inner = options.inner ?? 0.5;
  const outer = options.outer ?? 1;
  if (!(inner >= 0 && outer > inner && Number.isFinite(outer))) {
    throw new RangeError(`circles: need 0 ≤ inner < outer, got inner ${inner}, outer ${outer}`);
  }
  return generate("circles", r, 2, 2, (c, out) => {
    const radius = c === 0 ? inner : outer;
    const angle = 2 * Math.PI * r.rng.uniform();
    out[0] = radius * Math.cos(angle);
    out[1] = radius * Math.sin(angle);
  });
}

export interface SpiralsOptions extends SyntheticOptions {
  /** How many times each arm winds around the origin. */
  readonly turns?: number;
}

/**
 * Two interleaved spirals: at t uniform in [0, 1], radius t and angle 2π·turns·t, plus π for
 * class 1, so the arms are point reflections of each other.
 */
export function spirals(options: SpiralsOptions = {}): Dataset {
  const r = resolve("spirals", options, { samples: 200, noise: 0 });
  const turns = options.turns ?? 1.5;
  if (!(turns > 0 && Number.isFinite(turns))) throw new RangeError(`spirals: turns must be > 0, got ${turns}`);
  return generate("spirals", r, 2, 2, (c, out) => {
    const t = r.rng.uniform();
    const angle = 2 * Math.PI * turns * t + Math.PI * c;
    out[0] = t * Math.cos(angle);
    out[1] = t * Math.sin(angle);
  });
}

export interface BlobsOptions extends SyntheticOptions {
  /** Number of clusters, one per class; ignored when `centers` is given. */
  readonly classes?: number;
  /** Input dimension; ignored when `centers` is given. */
  readonly dims?: number;
  /** Cluster centres, one row per class; drawn uniform in [−1, 1]^dims when left out. */
  readonly centers?: readonly (readonly number[])[];
}

/** k gaussian clusters in d dimensions: class c is centers[c] plus N(0, noise²) per coordinate. */
export function blobs(options: BlobsOptions = {}): Dataset {
  const r = resolve("blobs", options, { samples: 300, noise: 0.2 });
  const centers = options.centers ? Matrix.fromRows(options.centers) : undefined;
  if (centers) assertFinite(centers, "blobs: centers");
  const classes = centers?.rows ?? options.classes ?? 3;
  const dims = centers?.cols ?? options.dims ?? 2;
  for (const [what, n] of [["classes", classes], ["dims", dims]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`blobs: ${what} must be a positive integer, got ${n}`);
  }
  const means = centers ?? new Matrix(classes, dims, Float64Array.from({ length: classes * dims }, () => 2 * r.rng.uniform() - 1));
  return generate("blobs", r, classes, dims, (c, out) => out.set(means.row(c)));
}
