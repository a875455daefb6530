/**
 * An AsyncLocalStorage context manager, so the active span follows `await` inside a slice.
 * `@opentelemetry/context-async-hooks` does the same but is not a dependency; the Node API it
 * builds on is small enough to use directly (https://nodejs.org/api/async_context.html).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

export class AsyncLocalStorageContextManager implements ContextManager {
  private storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run<ReturnType<F>>(ctx, () => fn.call(thisArg, ...args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = (fn: (...a: unknown[]) => unknown) =>
      function (this: unknown, ...a: unknown[]): unknown {
        return context.with(ctx, () => fn.apply(this, a));
      };
    return run(target as (...a: unknown[]) => unknown) as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

let registered = false;

/**
 * Installs our context manager once per process unless the host already installed one (an OTel
 * Node SDK, for example): `setGlobalContextManager` refuses a second registration and we keep theirs.
 */
export function ensureContextManager(): void {
  if (registered) return;
  registered = true;
  const probe = Symbol('alakai-otel.context-probe');
  // If some manager is already active, a value set via `with` is visible inside the callback.
  const alreadyWorking = context.with(
    ROOT_CONTEXT.setValue(probe, true),
    () => context.active().getValue(probe) === true,
  );
  if (alreadyWorking) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}
