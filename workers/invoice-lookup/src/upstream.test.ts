// The request deadline: an abort it caused is a 504 problem; any other failure passes through.
import { ProblemError } from "@st-edge/edge";
import { describe, expect, it } from "vitest";
import { Deadline } from "./upstream.ts";

const hang = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

describe("Deadline", () => {
  it("turns its own abort into an upstream-timeout problem", async () => {
    const error = await new Deadline(20).run(hang).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).init).toMatchObject({ type: "upstream-timeout" });
  });

  it("lets other failures through unchanged", async () => {
    const failure = new Error("boom");
    await expect(
      new Deadline(1_000).run(async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });

  it("answers what the call answers in time", async () => {
    await expect(new Deadline(1_000).run(async () => 42)).resolves.toBe(42);
  });
});
