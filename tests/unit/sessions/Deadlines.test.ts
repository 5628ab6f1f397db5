import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Deadlines, NoAnswer, type StopSignal } from "masonite/sessions/stores";

/** A call that answers when told to, and the signal it was given. */
function pending<T>(): { send: (signal: StopSignal) => Promise<T>; answer: (value: T) => void; fail: (error: Error) => void; signal: () => StopSignal } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  let given: StopSignal | undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { send: (signal) => ((given = signal), promise), answer: resolve, fail: reject, signal: () => given! };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The deadline timer is unref'd (a store's sockets keep a process alive, not its timer): here nothing else would.
const alive = setInterval(() => {}, 60_000);
after(() => clearInterval(alive));

test("an answer within the timeout is passed on, `answer` applied to it, and the call's signal stays clear", async () => {
  const deadlines = new Deadlines(1000);
  const call = pending<number>();
  const result = deadlines.run(call.send, undefined, (n) => n * 2);
  call.answer(21);
  assert.equal(await result, 42);
  assert.equal(call.signal().aborted, false);
});

test("a call with no answer within the timeout fails with NoAnswer, `failed` applied, and its signal says it was given up; a late answer is dropped", async () => {
  const deadlines = new Deadlines(30);
  const call = pending<string>();
  const result = deadlines.run(call.send, (error) => new Error(`wrapped: ${(error as Error).message}`));
  await assert.rejects(result, (error: Error) => error.message === "wrapped: no answer within 30 ms." && !(error instanceof NoAnswer));
  assert.equal(call.signal().aborted, true);
  call.answer("late");
  await wait(5);
});

test("the timer serves calls that began at different times: each fails at its own deadline, and answered ones are not failed", async () => {
  const deadlines = new Deadlines(40);
  const first = pending<string>();
  const answered = pending<string>();
  const failures: string[] = [];
  const one = deadlines.run(first.send).catch(() => failures.push("first"));
  const two = deadlines.run(answered.send);
  await wait(20);
  const late = pending<string>();
  const three = deadlines.run(late.send).catch(() => failures.push("third"));
  answered.answer("ok");
  assert.equal(await two, "ok");
  await one;
  assert.deepEqual(failures, ["first"], "the third call's deadline is later");
  await three;
  assert.deepEqual(failures, ["first", "third"]);
  assert.equal(late.signal().aborted, true);
  assert.equal(answered.signal().aborted, false);
});

test("a failure, a send that throws and an `answer` that throws each reject once: the first two through `failed`, the last as it is", async () => {
  const deadlines = new Deadlines(1000);
  const failed = (error: unknown) => new Error(`store: ${(error as Error).message}`);
  const call = pending<number>();
  const failing = deadlines.run(call.send, failed);
  call.fail(new Error("refused"));
  await assert.rejects(failing, { message: "store: refused" });
  await assert.rejects(
    deadlines.run(() => {
      throw new Error("no connection");
    }, failed),
    { message: "store: no connection" },
  );
  const conflict = new Error("conflict");
  await assert.rejects(
    deadlines.run(async () => 1, failed, () => {
      throw conflict;
    }),
    (error) => error === conflict,
  );
});
