import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createColours } from "../src/output/colours.js";
import { Output } from "../src/output/output.js";
import { type Backend, createBackend } from "./support/backends.js";
import { runInProcess } from "./support/run-in-process.js";
import { paidPayment } from "./support/seed.js";

const ERASE = "\r\u001b[2K";

describe("progress lines", () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createBackend("sqlite");
    expect((await backend.cli(["migrate"])).code).toBe(0);
    const { service } = await backend.open();
    await paidPayment(service, 2500, { captureMethod: "manual" });
  });
  afterAll(async () => {
    await backend?.dispose();
  });

  it("on a terminal, the progress line is erased before the result is printed in its place", async () => {
    const result = await runInProcess(["sweep", "--within", "8d"], { env: backend.env, terminal: { columns: 100 } });
    expect(result.code, result.stderr).toBe(0);
    const progress = result.combined.lastIndexOf("found 1…");
    const table = result.combined.indexOf("PAYMENT");
    expect(progress).toBeGreaterThan(-1);
    expect(table).toBeGreaterThan(progress);
    // Between the last progress text and the result: exactly an erase, nothing left on the line.
    expect(result.combined.slice(progress + "found 1…".length, table).replace(/\u001b\[22m/g, "")).toBe(ERASE);
  });

  it("when the streams are not a terminal, no progress is written at all: no carriage return, no escape code", async () => {
    const result = await runInProcess(["sweep", "--within", "8d"], { env: backend.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.combined).not.toMatch(/[\r\u001b]/);
  });

  it("a progress line longer than the terminal is cut to its width, so that erasing it erases all of it", () => {
    let written = "";
    const terminal = { isTTY: true, columns: 30, write: (chunk: string) => (written += chunk) };
    const out = new Output(false, createColours(false), terminal, terminal);
    out.progress(`waiting for the refund of pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD in progress elsewhere: at most 59s more…`);
    const line = written.replace(ERASE, "");
    expect(line.length).toBeLessThan(30);
    out.result({}, () => "done\n");
    expect(written.endsWith(`${ERASE}done\n`)).toBe(true);
  });
});
