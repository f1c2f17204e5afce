/**
 * Seeded input generators and mutators for the fuzz tests, and the checks every
 * fuzzed parser must pass: fail only with an `ImdadError` of an allowed kind and
 * a one-line message, or return a dataset that is internally consistent.
 */
import { ImdadError, SeededRandom, sampleSize, type Dataset, type ImdadErrorKind } from '@imdad/core';

export { SeededRandom };

/** One of `items`. */
export function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[random.int(items.length)];
}

/** An integer in [lo, hi]. */
export function between(random: SeededRandom, lo: number, hi: number): number {
  return lo + random.int(hi - lo + 1);
}

/** Values that make length and offset fields interesting: zero, one, sign and width boundaries. */
const INTERESTING_WORDS = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** `bytes` with 1 to 4 random edits: byte and bit flips, interesting 32-bit words, deletions, insertions, duplications, truncation. */
export function mutateBytes(random: SeededRandom, bytes: Uint8Array): Uint8Array {
  let out = Uint8Array.from(bytes);
  const edits = between(random, 1, 4);
  for (let e = 0; e < edits; e++) {
    const at = out.length === 0 ? 0 : random.int(out.length);
    switch (random.int(7)) {
      case 0:
        if (out.length > 0) out[at] = random.int(256);
        break;
      case 1:
        if (out.length > 0) out[at] ^= 1 << random.int(8);
        break;
      case 2: {
        if (out.length < 4) break;
        const p = Math.min(at, out.length - 4);
        new DataView(out.buffer).setUint32(p, pick(random, INTERESTING_WORDS), random.next() < 0.5);
        break;
      }
      case 3: {
        const length = between(random, 1, 16);
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + length)]);
        break;
      }
      case 4: {
        const inserted = Array.from({ length: between(random, 1, 8) }, () => random.int(256));
        out = Uint8Array.from([...out.subarray(0, at), ...inserted, ...out.subarray(at)]);
        break;
      }
      case 5: {
        const piece = out.subarray(at, at + between(random, 1, 32));
        out = Uint8Array.from([...out.subarray(0, at), ...piece, ...out.subarray(at)]);
        break;
      }
      default:
        out = out.slice(0, random.int(out.length + 1));
    }
  }
  return out;
}

/** `text` with 1 to 4 random edits drawn from `alphabet`: insertions, replacements, deletions, duplicated or swapped lines, truncation. */
export function mutateText(random: SeededRandom, text: string, alphabet: readonly string[]): string {
  let out = text;
  const edits = between(random, 1, 4);
  for (let e = 0; e < edits; e++) {
    const at = random.int(out.length + 1);
    switch (random.int(6)) {
      case 0:
        out = out.slice(0, at) + pick(random, alphabet) + out.slice(at);
        break;
      case 1:
        out = out.slice(0, at) + pick(random, alphabet) + out.slice(at + 1);
        break;
      case 2:
        out = out.slice(0, at) + out.slice(at + between(random, 1, 8));
        break;
      case 3: {
        const lines = out.split('\n');
        const line = random.int(lines.length);
        lines.splice(line, 0, lines[line]);
        out = lines.join('\n');
        break;
      }
      case 4: {
        const lines = out.split('\n');
        const [a, b] = [random.int(lines.length), random.int(lines.length)];
        [lines[a], lines[b]] = [lines[b], lines[a]];
        out = lines.join('\n');
        break;
      }
      default:
        out = out.slice(0, at);
    }
  }
  return out;
}

/** A short, printable description of a failing input, for the assertion message. */
export function describeInput(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  return `${bytes.length} bytes, base64 ${bytes.subarray(0, 600).toString('base64')}${bytes.length > 600 ? '...' : ''}`;
}

/**
 * Runs `parse` and returns its result, or undefined when it failed as allowed:
 * an `ImdadError` of one of `kinds` with a one-line message. Anything else is
 * rethrown with the input that caused it.
 */
export function parseOrRefuse<T>(parse: () => T, input: string | Uint8Array, kinds: readonly ImdadErrorKind[] = ['input']): T | undefined {
  try {
    return parse();
  } catch (error) {
    checkRefusal(error, input, kinds);
    return undefined;
  }
}

/** As {@link parseOrRefuse}, for parsers that return a promise. */
export async function parseOrRefuseAsync<T>(parse: () => Promise<T>, input: string | Uint8Array, kinds: readonly ImdadErrorKind[] = ['input']): Promise<T | undefined> {
  try {
    return await parse();
  } catch (error) {
    checkRefusal(error, input, kinds);
    return undefined;
  }
}

function checkRefusal(error: unknown, input: string | Uint8Array, kinds: readonly ImdadErrorKind[]): void {
  if (!kinds.some((kind) => ImdadError.is(error, kind))) {
    throw new Error(`expected an ImdadError (${kinds.join(' or ')}), got ${String(error)} for input ${describeInput(input)}`, { cause: error });
  }
  if ((error as Error).message.includes('\n')) throw new Error(`the message has more than one line: ${JSON.stringify((error as Error).message)}`);
}

/**
 * Why `dataset` is inconsistent (`x.length !== n * width`, a value that is not
 * a finite float32, labels that are not 0/1 or not one per row), or undefined.
 */
export function inconsistency(dataset: Dataset): string | undefined {
  const width = sampleSize(dataset.sampleShape);
  if (!Number.isInteger(dataset.n) || dataset.n < 1) return `n is ${dataset.n}`;
  if (!(width >= 1) || dataset.sampleShape.some((d) => !Number.isInteger(d) || d < 1)) return `sampleShape is [${dataset.sampleShape.join(', ')}]`;
  if (dataset.x.length !== dataset.n * width) return `x has ${dataset.x.length} values for n ${dataset.n} x width ${width}`;
  for (let i = 0; i < dataset.x.length; i++) {
    if (!Number.isFinite(dataset.x[i])) return `x[${i}] is ${dataset.x[i]}`;
  }
  if (dataset.y) {
    if (dataset.y.length !== dataset.n) return `y has ${dataset.y.length} labels for ${dataset.n} rows`;
    for (let i = 0; i < dataset.y.length; i++) if (dataset.y[i] > 1) return `y[${i}] is ${dataset.y[i]}`;
  }
  if (dataset.featureNames && dataset.featureNames.length !== width) return `${dataset.featureNames.length} feature names for width ${width}`;
  return undefined;
}

/** Milliseconds since `started`, for the no-hang bound. */
export function elapsedMs(started: number): number {
  return performance.now() - started;
}
