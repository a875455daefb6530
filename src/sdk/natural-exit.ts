/**
 * A process that ends on its own (a one-shot ECS task: its work is done, the event loop empties,
 * nobody calls shutdown()) must still export what is queued. The BatchSpanProcessor's timer is
 * unref'd, so queued spans do not keep the process alive and would be lost without a word.
 *
 * Node's process events (https://nodejs.org/api/process.html#event-beforeexit):
 * - 'beforeExit' is emitted when the event loop is empty; asynchronous work started from it keeps
 *   the process alive, and it is emitted again once the loop empties again. It is not emitted on
 *   process.exit() or when a signal ends the process.
 * - 'exit' is emitted on every exit that runs JavaScript (the loop emptied, process.exit(), an
 *   uncaught exception); only synchronous work is possible there.
 *
 * So on 'beforeExit', each live tracing instance with spans queued since its last exit flush
 * flushes once, bounded by its shutdownTimeoutMs (its own export requests keep the loop alive
 * meanwhile). "Since its last exit flush" makes the repetition end: 'beforeExit' comes again after
 * the flush, and a second flush happens only if the app did more work in between. A flush that hits
 * the bound gives the rest up (counted). On 'exit', what is still unsent is counted as lost and
 * said once: nothing can be sent from there (process.exit() before `await tracing.shutdown()`).
 *
 * One listener of each event serves every instance (tests and services may build many; one
 * listener each would trip Node's MaxListeners warning). Nothing here keeps the process alive.
 */

export interface ExitParticipant {
  /** True when spans were queued since the last exit flush began and are not all sent. */
  wantsExitFlush(): boolean;
  /** Flushes, bounded; gives up (and counts) what did not make it in time. Never rejects. */
  exitFlush(): Promise<void>;
  /** The process is exiting now (synchronously): count and say what is still unsent. */
  exiting(): void;
}

const participants = new Set<ExitParticipant>();
const flushing = new Set<ExitParticipant>();
let listening = false;

function onBeforeExit(): void {
  for (const participant of participants) {
    if (flushing.has(participant)) continue;
    let wanted: boolean;
    try {
      wanted = participant.wantsExitFlush();
    } catch {
      wanted = false;
    }
    if (!wanted) continue;
    flushing.add(participant);
    participant
      .exitFlush()
      .catch(() => undefined)
      .finally(() => flushing.delete(participant));
  }
}

function onExit(): void {
  for (const participant of participants) {
    try {
      participant.exiting();
    } catch {
      // the process is going; nothing left to do for this one
    }
  }
}

/** Registers an instance for the natural exit; the returned function unregisters it. */
export function flushOnNaturalExit(participant: ExitParticipant): () => void {
  if (!listening) {
    listening = true;
    process.on('beforeExit', onBeforeExit);
    process.on('exit', onExit);
  }
  participants.add(participant);
  return () => {
    participants.delete(participant);
  };
}
