/**
 * SIGTERM/SIGINT: flush before the process goes. ECS sends SIGTERM, then SIGKILL after the stop
 * timeout (30 s by default), and the BatchSpanProcessor has no exit hook, so without this the
 * queued spans and buffered log lines are lost.
 *
 * Order matters: the service's own signal handlers may exit at once, which would cut our flush.
 * So the other listeners of these signals are held back (moved off `process` as they are added)
 * and run, in their order, after a bounded flush; they may finish in-flight work and call
 * `shutdown()` themselves. With none, we shut down and re-raise the signal with the default
 * disposition, so the process ends exactly as it would have (killed by the signal, status
 * 128 + signal number to a shell or ECS). A second signal during the flush exits at once.
 */
import { diag } from '@opentelemetry/api';
import { constants } from 'node:os';

type Listener = (...args: unknown[]) => void;
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type HandledSignal = (typeof SIGNALS)[number];

export interface SignalHandling {
  /** Stops handling signals and gives held-back listeners back to `process`. */
  dispose(): void;
  /** True while a signal's flush runs (a second signal must still find our listener). */
  readonly handling: boolean;
}

export interface SignalActions {
  /** Before the service's own handlers run (they may still end slices). */
  flush(): Promise<void>;
  /** When the service has no handler of its own: the process is about to end. */
  shutdown(): Promise<void>;
}

export function handleShutdownSignals(actions: SignalActions): SignalHandling {
  const heldBack = new Map<HandledSignal, Listener[]>(SIGNALS.map((s) => [s, []]));
  const ours = new Map<HandledSignal, Listener>();
  let flushing = false;
  let disposed = false;

  const holdBackOthers = (signal: HandledSignal): void => {
    const mine = ours.get(signal);
    for (const listener of process.rawListeners(signal) as Listener[]) {
      if (listener === mine) continue;
      process.removeListener(signal, listener);
      heldBack.get(signal)!.push(listener);
    }
  };

  const onNewListener = (event: string | symbol): void => {
    if (disposed || !(SIGNALS as readonly (string | symbol)[]).includes(event)) return;
    // 'newListener' fires before the listener is added: move it once it is in place.
    queueMicrotask(() => {
      if (!disposed) holdBackOthers(event as HandledSignal);
    });
  };

  const runHeldBack = (signal: HandledSignal): void => {
    const listeners = heldBack.get(signal)!;
    dispose();
    if (listeners.length === 0) {
      process.kill(process.pid, signal); // default disposition is back: the process ends by the signal
      return;
    }
    for (const listener of listeners) {
      try {
        listener.call(process, signal);
      } catch (error) {
        // A throwing handler would have been an uncaught exception without us too.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };

  const onSignal = (signal: HandledSignal): void => {
    if (flushing) {
      process.exit(128 + (constants.signals[signal] ?? 15));
    }
    flushing = true;
    const alone = heldBack.get(signal)!.length === 0;
    (alone ? actions.shutdown() : actions.flush())
      .catch((error: unknown) =>
        diag.error(`alakai-otel: flush on ${signal} failed: ${(error as Error)?.message ?? error}`),
      )
      .finally(() => runHeldBack(signal));
  };

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    process.removeListener('newListener', onNewListener);
    for (const signal of SIGNALS) {
      process.removeListener(signal, ours.get(signal)!);
      for (const listener of heldBack.get(signal)!) process.on(signal, listener);
      heldBack.set(signal, []);
    }
  }

  for (const signal of SIGNALS) {
    const listener: Listener = () => onSignal(signal);
    ours.set(signal, listener);
    process.on(signal, listener);
    holdBackOthers(signal);
  }
  process.on('newListener', onNewListener);
  return {
    dispose,
    get handling() {
      return flushing && !disposed;
    },
  };
}
