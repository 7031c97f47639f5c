import { afterEach, describe, expect, it } from "vitest";
import { progressBar } from "../../lib/cli/progress.ts";

describe("progressBar", () => {
  const tty = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
  afterEach(() => {
    if (tty) Object.defineProperty(process.stderr, "isTTY", tty);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  });

  it("is a bar on a terminal's stderr and nothing elsewhere, where commands print lines", () => {
    Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
    expect(progressBar("{bar}")).toBeDefined();
    Object.defineProperty(process.stderr, "isTTY", { value: false, configurable: true });
    expect(progressBar("{bar}")).toBeUndefined();
    Object.defineProperty(process.stderr, "isTTY", { value: undefined, configurable: true });
    expect(progressBar("{bar}")).toBeUndefined();
  });
});
