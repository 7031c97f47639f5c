/**
 * The wire format against Jupyter's own implementation: jupyter_client's Session signs and
 * parses the same frames as tools/notebooks/wire.ts.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { decode, encode, newMessage } from "../../tools/notebooks/wire.ts";
import { outputsFromMessages } from "../../tools/notebooks/notebook.ts";
import { debianPython } from "./spawn.ts";

const key = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

describe("Jupyter wire protocol", () => {
  it("signs messages as jupyter_client does, and reads what it signs", async () => {
    const message = newMessage("execute_request", { code: "1 + 1", silent: false }, "session-1");
    const frames = encode(key, message);
    // Session.feed_identities + deserialize verify the HMAC, then re-sign to compare.
    const script = `
import json, sys
from jupyter_client.session import Session
frames = [f.encode() for f in json.loads(sys.stdin.read())]
s = Session(key=b"${key}", signature_scheme="hmac-sha256")
idents, rest = s.feed_identities(frames, copy=True)
msg = s.deserialize(rest, content=True, copy=True)
reply = s.msg("execute_reply", content={"status": "ok", "echo": msg["content"]["code"]}, parent=msg["header"])
print(json.dumps([f.decode() for f in s.serialize(reply)]))
`;
    const result = await runWithStdin(script, JSON.stringify(frames));
    expect(result.stderr).toBe("");
    const reply = decode(key, (JSON.parse(result.stdout) as string[]).map((frame) => Buffer.from(frame)));
    expect(reply.header.msg_type).toBe("execute_reply");
    expect(reply.parent_header.msg_id).toBe(message.header.msg_id);
    expect(reply.content).toEqual({ status: "ok", echo: "1 + 1" });
  });

  it("refuses a message whose signature does not match", () => {
    const frames = encode(key, newMessage("status", { execution_state: "idle" }, "s")).map((frame) => Buffer.from(frame));
    frames[5] = Buffer.from(JSON.stringify({ execution_state: "busy" }));
    expect(() => decode(key, frames)).toThrow("wrong HMAC signature");
  });
});

describe("outputs from iopub messages", () => {
  it("merges consecutive streams, keeps results and errors, and applies clear_output", () => {
    const message = (msg_type: string, content: Record<string, unknown>) => ({ ...newMessage(msg_type, content, "s"), parent_header: {} });
    const outputs = outputsFromMessages(
      [
        message("stream", { name: "stdout", text: "gone\n" }),
        message("clear_output", { wait: false }),
        message("stream", { name: "stdout", text: "a\nb" }),
        message("stream", { name: "stdout", text: "c\n" }),
        message("display_data", { data: { "text/plain": "x" }, metadata: {}, transient: { display_id: "d" } }),
        message("update_display_data", { data: { "text/plain": "y" }, metadata: {}, transient: { display_id: "d" } }),
        message("execute_result", { data: { "text/plain": "2" }, metadata: {}, execution_count: 3 }),
        message("error", { ename: "Error", evalue: "boom", traceback: ["Error: boom"] }),
      ],
      3,
    );
    expect(outputs).toEqual([
      { output_type: "stream", name: "stdout", text: ["a\n", "bc\n"] },
      { output_type: "display_data", data: { "text/plain": "y" }, metadata: {} },
      { output_type: "execute_result", execution_count: 3, data: { "text/plain": "2" }, metadata: {} },
      { output_type: "error", ename: "Error", evalue: "boom", traceback: ["Error: boom"] },
    ]);
  });
});

/** Runs a Python script on Debian's Jupyter with `input` on stdin (60 s at most). */
function runWithStdin(script: string, input: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(debianPython, ["-c", script], { timeout: 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("close", () => done({ stdout, stderr }));
    child.stdin.end(input);
  });
}
