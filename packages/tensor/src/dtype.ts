/**
 * @file Data types and their storage: the dtype → typed-array map lives in the
 * type system (as tfjs's `DataTypeMap`), so `Tensor<"int32">.data` is an `Int32Array`.
 */

/** Element types a tensor can hold. `float32` is the default. */
export type DType = "float32" | "float64" | "int32" | "bool";

/** Floating-point dtypes: the only ones that can require gradients. */
export type FloatDType = "float32" | "float64";

/** The typed array that stores each dtype. `bool` is one byte per element (0 or 1). */
export interface DataTypeMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Any storage array. */
export type TypedArray = DataTypeMap[DType];

/** Every dtype, in promotion order (a later one wins). */
export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

/** Bytes per element. */
export const BYTES_PER_ELEMENT: Record<DType, number> = { bool: 1, int32: 4, float32: 4, float64: 8 };

const CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
} as const;

/** Whether `dtype` is a floating-point type. */
export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === "float32" || dtype === "float64";
}

/** Throws unless `dtype` names a kiln dtype; `where` names the caller. */
export function checkDType(dtype: unknown, where: string): DType {
  if (typeof dtype === "string" && (DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  throw new TypeError(`${where}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${DTYPES.join(", ")})`);
}

/**
 * A zero-filled typed array of `size` elements over a `SharedArrayBuffer`, so
 * worker threads can read and write it without copies.
 */
export function allocate<D extends DType>(dtype: D, size: number): DataTypeMap[D] {
  const buffer = new SharedArrayBuffer(Math.max(1, size) * BYTES_PER_ELEMENT[dtype]);
  const Ctor = CONSTRUCTORS[dtype] as unknown as new (b: ArrayBufferLike, offset: number, length: number) => DataTypeMap[D];
  return new Ctor(buffer, 0, size);
}

/** The dtype whose storage is `array`, or undefined for other arrays. */
export function dtypeOfArray(array: unknown): DType | undefined {
  if (array instanceof Float32Array) return "float32";
  if (array instanceof Float64Array) return "float64";
  if (array instanceof Int32Array) return "int32";
  if (array instanceof Uint8Array) return "bool";
  return undefined;
}

/** Result dtype of combining two tensors (`bool < int32 < float32 < float64`). */
export type Promote<A extends DType, B extends DType> = A extends "float64"
  ? "float64"
  : B extends "float64"
    ? "float64"
    : A extends "float32"
      ? "float32"
      : B extends "float32"
        ? "float32"
        : A extends "int32"
          ? "int32"
          : B extends "int32"
            ? "int32"
            : "bool";

/** The dtype arithmetic produces (`bool` arithmetic counts in `int32`, as in NumPy sums). */
export type Arith<D extends DType> = D extends "bool" ? "int32" : D;

/** The dtype a floating-point function (`exp`, `div`, ...) produces from `D`. */
export type FloatOf<D extends DType> = D extends "float64" ? "float64" : "float32";

/** Runtime twin of {@link Promote}. */
export function promoteTypes(a: DType, b: DType): DType {
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}

/** Runtime twin of {@link FloatOf}. */
export function floatOf(dtype: DType): FloatDType {
  return dtype === "float64" ? "float64" : "float32";
}
