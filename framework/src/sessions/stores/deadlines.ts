/** What a call is told about its caller: `aborted` once the caller stopped waiting for it. */
export interface StopSignal {
  readonly aborted: boolean;
}

/** The failure of a call that outlived its timeout. */
export class NoAnswer extends Error {}

/** One call's deadline in the queue, and the signal its call is given. */
interface Deadline extends StopSignal {
  at: number;
  settled: boolean;
  aborted: boolean;
  reject: (error: unknown) => void;
  failed: (error: unknown) => unknown;
}

const asItIs = (error: unknown) => error;

/**
 * Bounds a store's calls by one timeout. Every call's deadline is the timeout after it began, so
 * deadlines arrive in the order the calls began: they wait in one queue, watched by one timer
 * armed for the oldest, instead of a timer set and cleared per call on every request (which
 * showed in the session stores' throughput).
 */
export class Deadlines {
  readonly timeout: number;
  /** Pending deadlines, oldest first; settled ones leave when they reach the front. */
  #queue: Deadline[] = [];
  /**
   * Left armed when the queue empties (its turn then finds nothing), and unref'd: a pending
   * call's socket keeps the process alive, the timer alone must not once the store is closed.
   */
  #timer: NodeJS.Timeout | undefined;

  constructor(timeout: number) {
    this.timeout = timeout;
  }

  /**
   * What `send` answers, `answer` applied to it (one promise per call, not one more per step), or
   * a NoAnswer once the timeout passed, which also marks the signal `send` was given as aborted;
   * `failed` is applied to either failure. A late answer or failure is dropped.
   */
  run<T, R = T>(send: (signal: StopSignal) => Promise<T>, failed: (error: unknown) => unknown = asItIs, answer?: (reply: T) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const deadline: Deadline = { at: Date.now() + this.timeout, settled: false, aborted: false, reject, failed };
      this.#queue.push(deadline);
      this.#timer ??= setTimeout(this.#expire, this.timeout).unref();
      const fail = (error: unknown) => {
        if (deadline.settled) return;
        this.#settle(deadline);
        reject(failed(error));
      };
      let sent: Promise<T>;
      try {
        sent = send(deadline);
      } catch (error) {
        return fail(error);
      }
      sent.then((value) => {
        if (deadline.settled) return;
        this.#settle(deadline);
        if (!answer) return resolve(value as unknown as R);
        try {
          resolve(answer(value));
        } catch (error) {
          reject(error);
        }
      }, fail);
    });
  }

  /**
   * Answers mostly arrive in the order the calls began, so the front usually settles first: the
   * queue stays as short as the calls in flight, rather than holding every settled call until the
   * timer's next turn.
   */
  #settle(deadline: Deadline): void {
    deadline.settled = true;
    const queue = this.#queue;
    if (queue[0] !== deadline) return;
    let first = 1;
    while (first < queue.length && queue[first]!.settled) first++;
    if (first === 1) queue.shift();
    else queue.splice(0, first);
  }

  /** The timer's turn: fails every call whose deadline passed, then waits for the next unsettled one. */
  #expire = (): void => {
    this.#timer = undefined;
    const now = Date.now();
    const queue = this.#queue;
    let first = 0;
    for (; first < queue.length; first++) {
      const deadline = queue[first]!;
      if (deadline.settled) continue;
      if (deadline.at > now) break;
      deadline.settled = true;
      deadline.aborted = true;
      deadline.reject(deadline.failed(new NoAnswer(`no answer within ${this.timeout} ms.`)));
    }
    queue.splice(0, first);
    if (queue.length) this.#timer = setTimeout(this.#expire, queue[0]!.at - now).unref();
  };
}
