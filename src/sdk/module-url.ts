/**
 * The file URL of the module that calls `moduleUrl()`, in the ESM build and in the CommonJS build
 * alike. The one source compiles to both, and neither `import.meta.url` (ESM only: tsc refuses it
 * in CommonJS output) nor `__filename` (CommonJS only) exists in both. V8's structured stack
 * trace names the caller's file in either (a `file:` URL for ESM, a path for CommonJS):
 * https://v8.dev/docs/stack-trace-api#customizing-stack-traces
 */
import { pathToFileURL } from 'node:url';

export function moduleUrl(): string | undefined {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- saved to be put back, never called here
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[] | undefined;
    const file = frames?.[1]?.getFileName(); // [0] is this function, [1] its caller
    if (!file) return undefined;
    return file.startsWith('file:') ? file : pathToFileURL(file).href;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = original;
  }
}
