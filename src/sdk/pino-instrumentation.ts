/**
 * Zero-code mode for loggers the service makes itself: `pino()`, `pino(destination)`, their
 * children, from `import pino from 'pino'` or `require('pino')`. An OpenTelemetry instrumentation
 * (InstrumentationBase, so require-in-the-middle and import-in-the-middle do the module hooking)
 * wraps pino's factory: the wrapper calls the real one with the caller's arguments, then tees the
 * new logger's destination into the tracing's ZeroCodeConverter. Children share their parent's
 * stream, so they are teed with it. The logger and its records are never changed: no mixin, no
 * field added, the line reaches its destination first and as pino wrote it.
 *
 * The approach (wrap the `pino` export, keep its properties, re-point `default`/`pino` at the
 * wrapper, set the ESM namespace's bindings) follows @opentelemetry/instrumentation-pino:
 * https://github.com/open-telemetry/opentelemetry-js-contrib/tree/main/packages/instrumentation-pino
 * It tees the destination in place instead of swapping in `pino.multistream`, because a
 * multistream has no `flush`: `logger.flush()` of the service would silently stop flushing.
 */
import { globalErrorHandler } from '@opentelemetry/core';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { PACKAGE_VERSION } from './version.js';
import type { ZeroCodeConverter } from './zero-code.js';

/** pino versions whose factory and `symbols.streamSym` behave as relied on here. */
const PINO_VERSIONS = ['>=7.0.0 <11'];

type PinoFactory = ((...args: unknown[]) => unknown) & {
  symbols?: { streamSym?: symbol };
  pino?: unknown;
  default?: unknown;
};
type PinoModule = PinoFactory | { [Symbol.toStringTag]?: string; default?: PinoFactory; pino?: unknown };

export class AlakaiPinoInstrumentation extends InstrumentationBase {
  private readonly converter: ZeroCodeConverter;

  constructor(converter: ZeroCodeConverter) {
    // Not enabled by the base constructor: `converter` is set first, then enable() hooks pino.
    super('alakai-otel/pino-zero-code', PACKAGE_VERSION ?? '0.0.0', { enabled: false });
    this.converter = converter;
    converter.expectServiceLoggers();
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition('pino', PINO_VERSIONS, (moduleExports: PinoModule) =>
        this.patch(moduleExports),
      ),
    ];
  }

  private patch(module: PinoModule): PinoModule {
    const isEsmNamespace = (module as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Module';
    const factory = (isEsmNamespace ? (module as { default?: PinoFactory }).default : module) as
      PinoFactory | undefined;
    if (typeof factory !== 'function') return module;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrapper must stay a `function` (pino is called with its own `this`)
    const instrumentation = this;
    const wrapped: PinoFactory = Object.assign(function pino(this: unknown, ...args: unknown[]) {
      const logger = factory.apply(this, args);
      if (instrumentation.isEnabled()) instrumentation.teeLogger(logger, factory);
      return logger;
    }, factory);
    if (typeof factory.pino === 'function') wrapped.pino = wrapped;
    if (typeof factory.default === 'function') wrapped.default = wrapped;
    if (isEsmNamespace) {
      const namespace = module as { default?: unknown; pino?: unknown };
      if (namespace.pino) namespace.pino = wrapped;
      namespace.default = wrapped;
      return module;
    }
    return wrapped;
  }

  private teeLogger(logger: unknown, factory: PinoFactory): void {
    try {
      const streamSym = factory.symbols?.streamSym;
      if (!streamSym || typeof logger !== 'object' || logger === null) return;
      const stream = (logger as Record<symbol, { write: (chunk: unknown, ...rest: unknown[]) => unknown } | undefined>)[
        streamSym
      ];
      this.converter.serviceLoggers++;
      this.converter.tee(stream);
    } catch (error) {
      globalErrorHandler(error as Error); // the service gets its logger whatever happens here
    }
  }
}
