/**
 * The GPU bench for a machine without Node: pack-device.sh packs Node, Dawn, the bundled bench and
 * the Vulkan and GL libraries into at most 64 MiB, and gpu-device.sh unpacks them and runs the
 * bench with the packed Node, here on SwiftShader, its results in $OUT. Packing is xz -9 of Node
 * (about a minute).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { swiftShaderIcd } from "../../lib/index.ts";
import { root, tempDir, type Exited } from "../cli/spawn.ts";

function run(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Exited> {
  return new Promise((done) => {
    const child = spawn("bash", [join(root, "tools", "bench", script), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

describe("the GPU bench on a machine without Node", () => {
  it("packs into at most 64 MiB, and the packed Node runs the bench from it", { timeout: 600_000 }, async () => {
    const [folder, out] = [tempDir(), tempDir()];
    onTestFinished(() => [folder, out].forEach((path) => rmSync(path, { recursive: true, force: true })));
    const pack = join(folder, "device");
    const packed = await run("pack-device.sh", [pack]);
    expect(packed.code, packed.stderr).toBe(0);
    const files = readdirSync(pack).sort();
    expect(files).toEqual(["bench.tar.xz", "dawn.node.xz", "libEGL.so.1", "libGLX.so.0", "libGLdispatch.so.0", "libOpenGL.so.0", "libvulkan.so.1", "node.xz"]);
    const bytes = files.reduce((sum, file) => sum + statSync(join(pack, file)).size, 0);
    expect(bytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(packed.stdout).toContain(`${bytes} bytes`);

    // A torch without CUDA: the packed torch_train.py's probe says so.
    mkdirSync(join(folder, "torch"));
    writeFileSync(join(folder, "torch", "__init__.py"), "__version__ = '2.0.0+cpu'\nclass cuda:\n    is_available = staticmethod(lambda: False)\n");
    const ran = await run("gpu-device.sh", [pack, "--samples", "16", "--synthetic-samples", "16", "--batch-sizes", "16", "--gpu-epochs", "1", "--python", "/usr/bin/python3"], {
      OUT: out,
      VK_ICD_FILENAMES: swiftShaderIcd,
      PYTHONPATH: folder,
    });
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    const printed = readFileSync(join(out, "bench-gpu.txt"), "utf8");
    expect(printed).toContain(`VK_ICD_FILENAMES=${swiftShaderIcd}`);
    expect(printed).toContain("webgpu: google swiftshader");
    expect(printed).toContain("PyTorch CUDA: not available (torch 2.0.0+cpu: torch.cuda.is_available() is False)");
    const written = JSON.parse(readFileSync(join(out, "bench-gpu.json"), "utf8")) as { machine: { node: string }; sections: { title: string; rows: { runner: string }[] }[] };
    expect(written.machine.node).toBe(process.version);
    expect(written.sections[0].rows.filter((row) => row.runner === "batchprop webgpu")).toHaveLength(2);
    expect(written.sections[0].title).toMatch(/^training on the GPU, one epoch a run/); // the options given win over the script's 10 epochs
  });

  it("needs $OUT", async () => {
    const { code, stderr } = await run("gpu-device.sh", [tempDir()], { OUT: "" });
    expect(code).not.toBe(0);
    expect(stderr).toContain("OUT must name the folder the results go to");
  });
});
